package net.mignet.openflow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.EnumSet;
import java.util.List;
import org.projectfloodlight.openflow.exceptions.OFParseError;
import org.projectfloodlight.openflow.protocol.OFBadRequestCode;
import org.projectfloodlight.openflow.protocol.OFBarrierRequest;
import org.projectfloodlight.openflow.protocol.OFCapabilities;
import org.projectfloodlight.openflow.protocol.OFConfigFlags;
import org.projectfloodlight.openflow.protocol.OFEchoRequest;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFHelloFailedCode;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFSetConfig;
import org.projectfloodlight.openflow.protocol.OFStatsRequest;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.OFActionType;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.OFAuxId;
import org.projectfloodlight.openflow.types.OFErrorCauseData;
import org.projectfloodlight.openflow.types.U32;

/**
 * One OpenFlow connection to a switch's agent: version negotiation in HELLO, then requests answered in order.
 * Reads and answers on its own thread; other threads (expiry, port status) send through {@link #send}.
 */
final class OpenFlowSession implements AutoCloseable {
    /** Wire versions the agent speaks: 1.0 (0x01) and 1.3 (0x04). */
    private static final int WIRE_10 = 1;
    private static final int WIRE_13 = 4;
    private static final int MAX_MESSAGE = 65535;
    /** How long the reader polls for the next message before it blocks (see {@link #pollBeforeBlocking}). */
    static final long POLL_BEFORE_BLOCKING_NANOS = 50_000;
    /** OFPT_FLOW_MOD's type number, the same in 1.0 and 1.3. */
    private static final int FLOW_MOD = 14;
    /** At most this many FLOW_MODs go into one batch of the flow table. */
    private static final int MAX_BURST = 10_000;
    /**
     * After this many FLOW_MODs of a burst, what they changed goes to the kernel while the next are decoded (see
     * FlowTable.flushBatch).
     */
    private static final int CHUNK = 500;

    private final OpenFlowAgent agent;
    private final Socket socket;
    private final OutputStream out;
    private volatile OFFactory factory;
    /**
     * Bytes of a frame a packet-in may carry; 0 means no packet-ins. Controllers start with OpenFlow's 128, service
     * connections with 0 until they ask (as {@code ovs-ofctl monitor} does), as in Open vSwitch. The switch keeps
     * no buffers, so any other value gets the whole frame.
     */
    private volatile int missSendLength;
    private final boolean controller;
    /** The thread that reads and answers requests (the one serving the connection). */
    private volatile Thread reader;
    /** While a burst of FLOW_MODs is carried out: the reader's answers, sent once the table was changed. */
    private volatile List<Object> deferred;

    /** {@code controller}: an active connection to a controller (not a tool on the passive listener). */
    OpenFlowSession(OpenFlowAgent agent, Socket socket, boolean controller) throws IOException {
        this.agent = agent;
        this.socket = socket;
        this.controller = controller;
        this.missSendLength = controller ? 128 : 0;
        socket.setTcpNoDelay(true);
        this.out = socket.getOutputStream();
    }

    boolean isController() {
        return controller;
    }

    boolean wantsPacketIns() {
        return missSendLength != 0;
    }

    String peer() {
        return String.valueOf(socket.getRemoteSocketAddress());
    }

    /** The negotiated protocol's factory, or null before the HELLOs were exchanged. */
    OFFactory factory() {
        return factory;
    }

    /** Serves the connection until the peer closes it or breaks the protocol. */
    void serve() {
        reader = Thread.currentThread();
        try (socket) {
            PeekableInput buffered = new PeekableInput(socket.getInputStream(), 1 << 16);
            DataInputStream in = new DataInputStream(buffered);
            sendHello();
            byte[] hello = readMessage(in);
            if (!negotiate(hello)) {
                return;
            }
            while (true) {
                pollBeforeBlocking(buffered);
                byte[] message = readMessage(in);
                if (isFlowMod(message) && burstFollows(buffered)) {
                    handleBatch(message, in, buffered);
                } else {
                    handle(message, true);
                }
            }
        } catch (EOFException | java.net.SocketException e) {
            // The peer closed the connection: the normal end of an ovs-ofctl command.
        } catch (IOException e) {
            agent.log("OpenFlow connection from " + socket.getRemoteSocketAddress() + " failed: " + e.getMessage());
        } finally {
            agent.sessionEnded(this);
        }
    }

    /**
     * Polls briefly for the peer's next message before the read blocks. A tool pushing flows one by one
     * ({@code ovs-ofctl add-flows}: FLOW_MOD, BARRIER, wait for the reply) sends its next flow some 10-20 us after
     * the reply; a reader that has blocked is woken through the scheduler, on a VM by an interrupt to a halted vCPU,
     * and such wake-ups were a quarter of the agent's samples in that case.
     */
    private static void pollBeforeBlocking(PeekableInput in) throws IOException {
        long until = System.nanoTime() + POLL_BEFORE_BLOCKING_NANOS;
        while (in.available(8) < 8 && System.nanoTime() - until < 0) {
            Thread.onSpinWait();
        }
    }

    private void sendHello() throws IOException {
        OFFactory f13 = OFFactories.getFactory(OFVersion.OF_13);
        OFMessage hello = f13.buildHello().setXid(0).setElements(List.of(f13.buildHelloElemVersionbitmap()
                .setBitmaps(List.of(U32.of((1L << WIRE_10) | (1L << WIRE_13)))).build())).build();
        write(hello);
    }

    /** Picks the highest version both sides speak (by the peer's version bitmap when it sends one). */
    private boolean negotiate(byte[] hello) throws IOException {
        int peerVersion = hello[0] & 0xff;
        long peerBitmap = helloBitmap(hello);
        int chosen;
        if (peerBitmap != 0) {
            chosen = (peerBitmap & (1L << WIRE_13)) != 0 ? WIRE_13 : (peerBitmap & (1L << WIRE_10)) != 0 ? WIRE_10 : 0;
        } else {
            chosen = peerVersion >= WIRE_13 ? WIRE_13 : peerVersion == WIRE_10 ? WIRE_10 : 0;
        }
        if ((hello[1] & 0xff) != 0 || chosen == 0) {
            OFFactory f = OFFactories.getFactory(peerVersion >= WIRE_13 ? OFVersion.OF_13 : OFVersion.OF_10);
            write(f.errorMsgs().buildHelloFailedErrorMsg().setXid(xid(hello))
                    .setCode(OFHelloFailedCode.INCOMPATIBLE)
                    .setData(OFErrorCauseData.of(java.util.Arrays.copyOf(hello, Math.min(64, hello.length)),
                            f.getVersion())).build());
            agent.log("OpenFlow peer " + socket.getRemoteSocketAddress() + " speaks neither 1.0 nor 1.3 (version "
                    + peerVersion + ")");
            return false;
        }
        factory = OFFactories.getFactory(chosen == WIRE_13 ? OFVersion.OF_13 : OFVersion.OF_10);
        agent.sessionReady(this);
        return true;
    }

    private static long helloBitmap(byte[] hello) {
        int pos = 8;
        while (pos + 4 <= hello.length) {
            int type = ((hello[pos] & 0xff) << 8) | (hello[pos + 1] & 0xff);
            int length = ((hello[pos + 2] & 0xff) << 8) | (hello[pos + 3] & 0xff);
            if (length < 4) {
                return 0;
            }
            if (type == 1 && pos + 8 <= hello.length) {
                return ((hello[pos + 4] & 0xffL) << 24) | ((hello[pos + 5] & 0xffL) << 16)
                        | ((hello[pos + 6] & 0xffL) << 8) | (hello[pos + 7] & 0xffL);
            }
            pos += (length + 7) / 8 * 8;
        }
        return 0;
    }

    private static long xid(byte[] m) {
        return ((m[4] & 0xffL) << 24) | ((m[5] & 0xffL) << 16) | ((m[6] & 0xffL) << 8) | (m[7] & 0xffL);
    }

    private static byte[] readMessage(DataInputStream in) throws IOException {
        byte[] header = new byte[8];
        in.readFully(header);
        int length = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
        if (length < 8) {
            throw new IOException("OpenFlow message with length " + length + " (less than its header)");
        }
        byte[] message = java.util.Arrays.copyOf(header, length);
        in.readFully(message, 8, length - 8);
        return message;
    }

    private static boolean isFlowMod(byte[] message) {
        return (message[1] & 0xff) == FLOW_MOD;
    }

    /**
     * Whether more FLOW_MODs follow, already received: the next message is one, or it is a BARRIER and the one after
     * it is. Looked at without consuming anything.
     */
    private boolean burstFollows(PeekableInput in) throws IOException {
        int available = Math.min(in.available(16), 16);
        if (available < 8) {
            return false;
        }
        in.mark(16);
        byte[] headers = in.readNBytes(available);
        in.reset();
        int next = headers[1] & 0xff;
        return next == FLOW_MOD || (next == barrierRequestType(headers[0]) && headers.length >= 16
                && (headers[9] & 0xff) == FLOW_MOD && (headers[3] & 0xff) == 8 && headers[2] == 0);
    }

    /** Whether the next message, already received, is a FLOW_MOD or a BARRIER (looked at without consuming it). */
    private static boolean nextIsFlowModOrBarrier(PeekableInput in) throws IOException {
        if (in.available(8) < 8) {
            return false;
        }
        in.mark(8);
        int version = in.read();
        int type = in.read();
        in.reset();
        return type == FLOW_MOD || type == barrierRequestType((byte) version);
    }

    /** A FLOW_MOD's place among the answers of a burst: an error goes there if the kernel refuses the burst. */
    private record FlowModPlace(byte[] request) {
    }

    /**
     * Carries out a burst of FLOW_MODs that arrived back to back, with BARRIERs between them or not, as one change of
     * the flow table: a few nftables transactions instead of one per rule (every {@link #CHUNK} FLOW_MODs, what they
     * changed goes to the kernel on another thread while the next are decoded). Ends at the first message that is
     * neither (or that has not arrived yet). What the burst answers (BARRIER replies, errors of single FLOW_MODs)
     * waits until the table was changed and is then sent in order: a BARRIER is answered only once the FLOW_MODs
     * before it are in the kernel. If the kernel refuses the whole, or a part, none of the burst's changes stays and
     * every FLOW_MOD of the burst gets an error, at its place.
     */
    private void handleBatch(byte[] first, DataInputStream in, PeekableInput buffered)
            throws IOException {
        List<Object> answers = new java.util.ArrayList<>();
        int[] flowMods = {0};
        String refused = null;
        deferred = answers;
        try {
            agent.flowTable().batch(() -> {
                try {
                    byte[] m = first;
                    int unflushed = 0;
                    while (true) {
                        if (isFlowMod(m)) {
                            answers.add(new FlowModPlace(m));
                            flowMods[0]++;
                            unflushed++;
                        }
                        // A common add is carried out without the codec: handle() (and all it reaches) stays off
                        // the burst's way, and so out of what the JIT compiles while it arrives.
                        if (!addedWithoutCodec(m)) {
                            handle(m, false);
                        }
                        if (unflushed >= CHUNK) {
                            unflushed = 0;
                            if (!agent.flowTable().flushBatch()) {
                                return;
                            }
                        }
                        if (flowMods[0] >= MAX_BURST || !nextIsFlowModOrBarrier(buffered)) {
                            return;
                        }
                        m = readMessage(in);
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        } catch (IllegalStateException e) {
            agent.log("OpenFlow flow changes refused on " + agent.switchName() + ": " + e.getMessage());
            refused = e.getMessage();
        } finally {
            deferred = null;
        }
        for (Object answer : answers) {
            if (answer instanceof byte[] bytes) {
                writeBytes(bytes);
            } else if (refused != null && answer instanceof FlowModPlace(byte[] m)) {
                write(OpenFlowError.flowModFailed(
                        org.projectfloodlight.openflow.protocol.OFFlowModFailedCode.UNKNOWN, refused)
                        .toMessage(factory, xid(m), m));
            }
        }
    }

    /**
     * Carries out {@code m} when it is a common add of the connection's version ({@link FlowModExecutor#tryAdd}),
     * which needs no answer; false, having done nothing, for anything else.
     */
    private boolean addedWithoutCodec(byte[] m) {
        return isFlowMod(m) && (m[0] & 0xff) == factory.getVersion().getWireVersion() && agent.executor().tryAdd(m);
    }

    /**
     * Answers one message, or with the error it calls for. A common add is carried out without the codec unless
     * {@code tryWithoutCodec} is false (the caller tried that already).
     */
    private void handle(byte[] raw, boolean tryWithoutCodec) throws IOException {
        OFFactory f = factory;
        long xid = xid(raw);
        int type = raw[1] & 0xff;
        try {
            if ((raw[0] & 0xff) != f.getVersion().getWireVersion()) {
                throw OpenFlowError.badRequest(OFBadRequestCode.BAD_VERSION, "message of version " + raw[0]
                        + " on a connection that negotiated " + f.getVersion());
            }
            if (type == 4) {
                throw OpenFlowError.badRequest(OFBadRequestCode.BAD_EXPERIMENTER, "vendor (experimenter) messages are not supported");
            }
            if (raw.length == 8 && type == barrierRequestType(raw[0])) {
                // A controller pushing flows one by one waits for this reply after each: no codec on its way.
                byte[] reply = raw.clone();
                reply[1] = (byte) (type + 1);
                writeBytes(reply);
                return;
            }
            if (tryWithoutCodec && addedWithoutCodec(raw)) {
                return;
            }
            OFMessage m;
            ByteBuf buf = Unpooled.wrappedBuffer(raw);
            try {
                m = f.getReader().readFrom(buf);
            } catch (OFParseError | RuntimeException e) {
                throw OpenFlowError.badRequest(OFBadRequestCode.BAD_TYPE, "could not parse message of type " + type
                        + ": " + e.getMessage());
            }
            if (m == null) {
                throw OpenFlowError.badRequest(OFBadRequestCode.BAD_LEN, "truncated message of type " + type);
            }
            for (OFMessage reply : answer(f, m, raw)) {
                write(reply);
            }
        } catch (OpenFlowError e) {
            write(e.toMessage(f, xid, raw));
        } catch (UnsupportedOperationException e) {
            // The codec cannot express something in this version: a request the agent cannot serve.
            agent.log("OpenFlow request not supported on " + agent.switchName() + ": " + e.getMessage());
            write(OpenFlowError.badRequest(OFBadRequestCode.EPERM, e.getMessage()).toMessage(f, xid, raw));
        } catch (RuntimeException e) {
            // The flow table refused the change (e.g. the kernel rejected it): say so, the connection goes on.
            agent.log("OpenFlow request refused on " + agent.switchName() + ": " + e.getMessage());
            write(OpenFlowError.flowModFailed(org.projectfloodlight.openflow.protocol.OFFlowModFailedCode.UNKNOWN,
                    e.getMessage()).toMessage(f, xid, raw));
        }
    }

    private List<OFMessage> answer(OFFactory f, OFMessage m, byte[] raw) {
        long xid = m.getXid();
        return switch (m.getType()) {
            case HELLO -> List.of();
            case ECHO_REQUEST -> List.of(f.buildEchoReply().setXid(xid).setData(((OFEchoRequest) m).getData())
                    .build());
            case ECHO_REPLY, ERROR -> List.of();
            case FEATURES_REQUEST -> List.of(features(f, xid));
            case GET_CONFIG_REQUEST -> List.of(f.buildGetConfigReply().setXid(xid)
                    .setFlags(EnumSet.noneOf(OFConfigFlags.class)).setMissSendLen(missSendLength).build());
            case SET_CONFIG -> {
                missSendLength = ((OFSetConfig) m).getMissSendLen();
                yield List.of();
            }
            case BARRIER_REQUEST -> List.of(f.buildBarrierReply().setXid(((OFBarrierRequest) m).getXid()).build());
            case PACKET_OUT -> {
                agent.packets().packetOut((org.projectfloodlight.openflow.protocol.OFPacketOut) m);
                yield List.of();
            }
            case FLOW_MOD -> {
                agent.executor().execute((OFFlowMod) m, raw);
                yield List.of();
            }
            case STATS_REQUEST -> agent.responder().answer(f, (OFStatsRequest<?>) m);
            default -> throw OpenFlowError.badRequest(OFBadRequestCode.BAD_TYPE, m.getType()
                    + " is not supported");
        };
    }

    private OFMessage features(OFFactory f, long xid) {
        var b = f.buildFeaturesReply().setXid(xid).setDatapathId(DatapathId.of(agent.datapathId()))
                .setNBuffers(0).setNTables((short) 1)
                .setCapabilities(EnumSet.of(OFCapabilities.FLOW_STATS, OFCapabilities.TABLE_STATS,
                        OFCapabilities.PORT_STATS));
        if (f.getVersion() == OFVersion.OF_10) {
            b.setActions(EnumSet.of(OFActionType.OUTPUT)).setPorts(agent.responder().portDescs(f));
        } else {
            b.setAuxiliaryId(OFAuxId.MAIN);
        }
        return b.build();
    }

    /** Sends a message; ignored once the connection is gone (its reader thread ends it). */
    void send(OFMessage m) {
        try {
            write(m);
        } catch (IOException e) {
            // The reader sees the broken connection and ends the session.
        }
    }

    private void write(OFMessage m) throws IOException {
        ByteBuf buf = Unpooled.buffer(256);
        m.writeTo(buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        if (bytes.length > MAX_MESSAGE) {
            throw new IllegalStateException("OpenFlow message of " + bytes.length + " bytes is too long");
        }
        writeBytes(bytes);
    }

    private void writeBytes(byte[] bytes) throws IOException {
        List<Object> answers = deferred;
        if (answers != null && Thread.currentThread() == reader) {
            answers.add(bytes);
            return;
        }
        synchronized (out) {
            out.write(bytes);
            out.flush();
        }
    }

    /** OFPT_BARRIER_REQUEST's number in wire version {@code version} (its reply's is one more); -1 for others. */
    private static int barrierRequestType(byte version) {
        return version == WIRE_10 ? 18 : version == WIRE_13 ? 20 : -1;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing a socket that is gone already.
        }
    }
}
