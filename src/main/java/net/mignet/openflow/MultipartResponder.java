package net.mignet.openflow;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import net.mignet.net.FlowEntry;
import net.mignet.net.FlowTable;
import org.projectfloodlight.openflow.protocol.OFAggregateStatsRequest;
import org.projectfloodlight.openflow.protocol.OFBadRequestCode;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowModFlags;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsRequest;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPortConfig;
import org.projectfloodlight.openflow.protocol.OFPortDesc;
import org.projectfloodlight.openflow.protocol.OFPortFeatures;
import org.projectfloodlight.openflow.protocol.OFPortState;
import org.projectfloodlight.openflow.protocol.OFPortStatsEntry;
import org.projectfloodlight.openflow.protocol.OFPortStatsRequest;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.protocol.OFStatsRequest;
import org.projectfloodlight.openflow.protocol.OFTableFeatureProp;
import org.projectfloodlight.openflow.protocol.OFTableFeatures;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.actionid.OFActionId;
import org.projectfloodlight.openflow.protocol.instructionid.OFInstructionId;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U32;
import org.projectfloodlight.openflow.types.U64;
import org.projectfloodlight.openflow.types.U8;

/** Answers multipart (1.3) / stats (1.0) requests from the flow table and the kernel's port counters. */
final class MultipartResponder {
    /** Entries per reply message: keeps each under OpenFlow's 64 KiB message limit. */
    private static final int CHUNK = 100;

    private final OpenFlowAgent agent;
    private final FlowTable table;
    private final FlowTranslator translator;
    private final FlowModExecutor executor;
    private final SwitchPorts ports;

    MultipartResponder(OpenFlowAgent agent, FlowTable table, FlowTranslator translator, FlowModExecutor executor,
            SwitchPorts ports) {
        this.agent = agent;
        this.table = table;
        this.translator = translator;
        this.executor = executor;
        this.ports = ports;
    }

    List<OFMessage> answer(OFFactory f, OFStatsRequest<?> request) {
        long xid = request.getXid();
        return switch (request.getStatsType()) {
            case DESC -> List.of(f.buildDescStatsReply().setXid(xid).setMfrDesc("mignet")
                    .setHwDesc("nftables flow table").setSwDesc("mignet OpenFlow agent")
                    .setSerialNum(agent.switchName()).setDpDesc(agent.switchName()).build());
            case PORT_DESC -> chunks(portDescs(f), (part, more) -> f.buildPortDescStatsReply().setXid(xid)
                    .setFlags(flags(more)).setEntries(part).build());
            case FLOW -> chunks(flowStats(f, (OFFlowStatsRequest) request), (part, more) ->
                    f.buildFlowStatsReply().setXid(xid).setFlags(flags(more)).setEntries(part).build());
            case AGGREGATE -> List.of(aggregate(f, (OFAggregateStatsRequest) request));
            case PORT -> chunks(portStats(f, (OFPortStatsRequest) request), (part, more) ->
                    f.buildPortStatsReply().setXid(xid).setFlags(flags(more)).setEntries(part).build());
            case TABLE -> List.of(tableStats(f, xid));
            case TABLE_FEATURES -> List.of(f.buildTableFeaturesStatsReply().setXid(xid)
                    .setEntries(List.of(tableFeatures(f))).build());
            case EXPERIMENTER -> throw OpenFlowError.badRequest(OFBadRequestCode.BAD_EXPERIMENTER,
                    "experimenter (vendor) statistics are not supported");
            default -> throw OpenFlowError.badRequest(OFBadRequestCode.BAD_STAT,
                    request.getStatsType() + " statistics are not supported");
        };
    }

    private interface ReplyBuilder<T> {
        OFMessage build(List<T> part, boolean more);
    }

    private static <T> List<OFMessage> chunks(List<T> entries, ReplyBuilder<T> builder) {
        List<OFMessage> replies = new ArrayList<>();
        for (int i = 0; i < entries.size() || i == 0; i += CHUNK) {
            int end = Math.min(entries.size(), i + CHUNK);
            replies.add(builder.build(entries.subList(i, end), end < entries.size()));
        }
        return replies;
    }

    private static Set<OFStatsReplyFlags> flags(boolean more) {
        return more ? EnumSet.of(OFStatsReplyFlags.REPLY_MORE) : EnumSet.noneOf(OFStatsReplyFlags.class);
    }

    List<OFPortDesc> portDescs(OFFactory f) {
        List<OFPortDesc> descs = new ArrayList<>();
        for (PortState p : ports.states()) {
            descs.add(portDesc(f, p));
        }
        return descs;
    }

    static OFPortDesc portDesc(OFFactory f, PortState p) {
        Set<OFPortFeatures> curr = EnumSet.of(OFPortFeatures.PF_10GB_FD, OFPortFeatures.PF_COPPER);
        OFPortDesc.Builder b = f.buildPortDesc().setPortNo(OFPort.of(p.number()))
                .setHwAddr(org.projectfloodlight.openflow.types.MacAddress.of(p.mac())).setName(p.name())
                .setConfig(p.up() ? EnumSet.noneOf(OFPortConfig.class) : EnumSet.noneOf(OFPortConfig.class))
                .setState(p.up() ? EnumSet.noneOf(OFPortState.class) : EnumSet.of(OFPortState.LINK_DOWN))
                .setCurr(curr).setAdvertised(EnumSet.noneOf(OFPortFeatures.class))
                .setSupported(EnumSet.noneOf(OFPortFeatures.class)).setPeer(EnumSet.noneOf(OFPortFeatures.class));
        if (f.getVersion() != OFVersion.OF_10) {
            b.setCurrSpeed(10_000_000L).setMaxSpeed(10_000_000L);
        }
        return b.build();
    }

    private List<FlowEntry> selected(org.projectfloodlight.openflow.protocol.match.Match match, OFPort outPort,
            U64 cookie, U64 cookieMask) {
        net.mignet.flow.FlowMatch m = translator.toFlowMatch(match);
        return table.entries().stream().filter(e -> executor.selected(e, m, 0, false, cookie, cookieMask,
                outPort == null ? OFPort.ANY : outPort)).toList();
    }

    private List<OFFlowStatsEntry> flowStats(OFFactory f, OFFlowStatsRequest r) {
        boolean v10 = f.getVersion() == OFVersion.OF_10;
        List<FlowEntry> entries = selected(r.getMatch(), r.getOutPort(), v10 ? U64.ZERO : r.getCookie(),
                v10 ? U64.ZERO : r.getCookieMask());
        List<OFFlowStatsEntry> stats = new ArrayList<>();
        long now = System.nanoTime();
        for (FlowEntry e : entries) {
            long age = Math.max(0, now - (e.installedNanos() == 0 ? agent.startedNanos() : e.installedNanos()));
            OFFlowStatsEntry.Builder b = f.buildFlowStatsEntry().setTableId(TableId.of(0))
                    .setDurationSec(age / 1_000_000_000L).setDurationNsec(age % 1_000_000_000L)
                    .setPriority(e.rule().priority()).setIdleTimeout(e.options().idleTimeout())
                    .setHardTimeout(e.options().hardTimeout()).setCookie(U64.of(e.options().cookie()))
                    .setPacketCount(U64.of(e.packets())).setByteCount(U64.of(e.bytes()))
                    .setMatch(translator.toMatch(f, e.rule().match()));
            if (v10) {
                b.setActions(translator.toActions(f, e.rule()));
            } else {
                b.setInstructions(translator.toInstructions(f, e.rule()))
                        .setFlags(e.options().notifyRemoval() ? EnumSet.of(OFFlowModFlags.SEND_FLOW_REM)
                                : EnumSet.noneOf(OFFlowModFlags.class));
            }
            stats.add(b.build());
        }
        return stats;
    }

    private OFMessage aggregate(OFFactory f, OFAggregateStatsRequest r) {
        boolean v10 = f.getVersion() == OFVersion.OF_10;
        List<FlowEntry> entries = selected(r.getMatch(), r.getOutPort(), v10 ? U64.ZERO : r.getCookie(),
                v10 ? U64.ZERO : r.getCookieMask());
        long packets = entries.stream().mapToLong(FlowEntry::packets).sum();
        long bytes = entries.stream().mapToLong(FlowEntry::bytes).sum();
        return f.buildAggregateStatsReply().setXid(r.getXid()).setPacketCount(U64.of(packets))
                .setByteCount(U64.of(bytes)).setFlowCount(entries.size()).build();
    }

    private List<OFPortStatsEntry> portStats(OFFactory f, OFPortStatsRequest r) {
        OFPort wanted = r.getPortNo();
        List<OFPortStatsEntry> stats = new ArrayList<>();
        long age = System.nanoTime() - agent.startedNanos();
        for (PortState p : ports.states()) {
            if (!wanted.equals(OFPort.ANY) && wanted.getPortNumber() != p.number()) {
                continue;
            }
            OFPortStatsEntry.Builder b = f.buildPortStatsEntry().setPortNo(OFPort.of(p.number()))
                    .setRxPackets(U64.of(p.rxPackets())).setTxPackets(U64.of(p.txPackets()))
                    .setRxBytes(U64.of(p.rxBytes())).setTxBytes(U64.of(p.txBytes()))
                    .setRxDropped(U64.of(p.rxDropped())).setTxDropped(U64.of(p.txDropped()))
                    .setRxErrors(U64.of(p.rxErrors())).setTxErrors(U64.of(p.txErrors()))
                    .setRxFrameErr(U64.ZERO).setRxOverErr(U64.ZERO).setRxCrcErr(U64.ZERO).setCollisions(U64.ZERO);
            if (f.getVersion() != OFVersion.OF_10) {
                b.setDurationSec(age / 1_000_000_000L).setDurationNsec(age % 1_000_000_000L);
            }
            stats.add(b.build());
        }
        return stats;
    }

    private OFMessage tableStats(OFFactory f, long xid) {
        List<FlowEntry> entries = table.entries();
        long matched = entries.stream().mapToLong(FlowEntry::packets).sum();
        var b = f.buildTableStatsEntry().setTableId(TableId.of(0)).setActiveCount(entries.size())
                .setLookupCount(U64.of(matched)).setMatchedCount(U64.of(matched));
        if (f.getVersion() == OFVersion.OF_10) {
            b.setName("mignet").setWildcards(0x3fffff).setMaxEntries(65535);
        }
        return f.buildTableStatsReply().setXid(xid).setEntries(List.of(b.build())).build();
    }

    /** One table with the eight properties OpenFlow 1.3 requires (ovs-ofctl checks them before flow changes). */
    private OFTableFeatures tableFeatures(OFFactory f) {
        List<OFInstructionId> instructions = List.of(f.instructionIds().applyActions(),
                f.instructionIds().writeActions());
        List<OFActionId> actions = List.of(f.actionIds().output());
        List<U32> match = oxmIds();
        List<U32> wildcards = oxmIds();
        List<OFTableFeatureProp> props = List.of(
                f.buildTableFeaturePropInstructions().setInstructionIds(instructions).build(),
                f.buildTableFeaturePropNextTables().setNextTableIds(List.<U8>of()).build(),
                f.buildTableFeaturePropWriteActions().setActionIds(actions).build(),
                f.buildTableFeaturePropApplyActions().setActionIds(actions).build(),
                f.buildTableFeaturePropMatch().setOxmIds(match).build(),
                f.buildTableFeaturePropWildcards().setOxmIds(wildcards).build(),
                f.buildTableFeaturePropWriteSetfield().setOxmIds(List.<U32>of()).build(),
                f.buildTableFeaturePropApplySetfield().setOxmIds(List.<U32>of()).build());
        return f.buildTableFeatures().setTableId(TableId.of(0)).setName("mignet")
                .setMetadataMatch(U64.ZERO).setMetadataWrite(U64.ZERO).setConfig(0).setMaxEntries(65535)
                .setProperties(props).build();
    }

    /**
     * The OXM headers of the fields the table matches (OpenFlow basic class). Listed without the has-mask bit:
     * ovs-ofctl rejects masked headers in the table-features properties (OFPBMC_BAD_MASK).
     */
    private static List<U32> oxmIds() {
        int[][] fields = { {0, 4}, {3, 6}, {4, 6}, {5, 2}, {10, 1}, {11, 4}, {12, 4}, {13, 2}, {14, 2}, {15, 2},
                {16, 2} };
        List<U32> ids = new ArrayList<>();
        for (int[] fl : fields) {
            ids.add(U32.of((0x8000L << 16) | ((long) fl[0] << 9) | fl[1]));
        }
        return ids;
    }
}
