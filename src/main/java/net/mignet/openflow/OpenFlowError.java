package net.mignet.openflow;

import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFBadActionCode;
import org.projectfloodlight.openflow.protocol.OFBadMatchCode;
import org.projectfloodlight.openflow.protocol.OFBadRequestCode;
import org.projectfloodlight.openflow.protocol.OFFlowModFailedCode;
import org.projectfloodlight.openflow.protocol.OFBadInstructionCode;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.errormsg.OFErrorMsgs;
import org.projectfloodlight.openflow.types.OFErrorCauseData;

/**
 * A request the agent refuses, with the OpenFlow error it answers; {@link #toMessage} builds that error carrying
 * the start of the offending request, which tools such as ovs-ofctl read to say which request failed.
 */
final class OpenFlowError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private enum Kind { BAD_REQUEST, BAD_ACTION, BAD_MATCH, BAD_INSTRUCTION, FLOW_MOD_FAILED }

    private final Kind kind;
    private final Enum<?> code;

    private OpenFlowError(Kind kind, Enum<?> code, String message) {
        super(message);
        this.kind = kind;
        this.code = code;
    }

    static OpenFlowError badRequest(OFBadRequestCode code, String message) {
        return new OpenFlowError(Kind.BAD_REQUEST, code, message);
    }

    static OpenFlowError badAction(OFBadActionCode code, String message) {
        return new OpenFlowError(Kind.BAD_ACTION, code, message);
    }

    static OpenFlowError badMatch(OFBadMatchCode code, String message) {
        return new OpenFlowError(Kind.BAD_MATCH, code, message);
    }

    static OpenFlowError badInstruction(OFBadInstructionCode code, String message) {
        return new OpenFlowError(Kind.BAD_INSTRUCTION, code, message);
    }

    static OpenFlowError flowModFailed(OFFlowModFailedCode code, String message) {
        return new OpenFlowError(Kind.FLOW_MOD_FAILED, code, message);
    }

    /** The error message answering the request {@code xid} whose first bytes are {@code request}. */
    OFErrorMsg toMessage(OFFactory f, long xid, byte[] request) {
        byte[] start = java.util.Arrays.copyOf(request, Math.min(request.length, 64));
        OFVersion v = f.getVersion();
        OFErrorCauseData data = OFErrorCauseData.of(start, v);
        OFErrorMsgs e = f.errorMsgs();
        return switch (kind) {
            case BAD_REQUEST -> e.buildBadRequestErrorMsg().setXid(xid).setCode((OFBadRequestCode) code)
                    .setData(data).build();
            case BAD_ACTION -> e.buildBadActionErrorMsg().setXid(xid).setCode((OFBadActionCode) code)
                    .setData(data).build();
            case BAD_MATCH -> v == OFVersion.OF_10
                    ? e.buildFlowModFailedErrorMsg().setXid(xid).setCode(OFFlowModFailedCode.UNSUPPORTED)
                            .setData(data).build()
                    : e.buildBadMatchErrorMsg().setXid(xid).setCode((OFBadMatchCode) code).setData(data).build();
            case BAD_INSTRUCTION -> e.buildBadInstructionErrorMsg().setXid(xid)
                    .setCode((OFBadInstructionCode) code).setData(data).build();
            case FLOW_MOD_FAILED -> e.buildFlowModFailedErrorMsg().setXid(xid).setCode((OFFlowModFailedCode) code)
                    .setData(data).build();
        };
    }
}
