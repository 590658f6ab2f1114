package net.mignet.kernel;

import java.util.List;
import net.mignet.flow.FlowAction;

/**
 * How a switch's nftables flow table hands frames to its OpenFlow agent. A rule whose action is
 * {@code controller} marks the frame {@link #PUNT_MARK} (with {@link NftShard#NORMAL_MARK}, so the later slices
 * let it pass untouched) and the rule's id, and accepts it; the switch's tail table, hooked after every slice,
 * sends punt-marked frames to one chain that logs them to nfnetlink_log group {@code group} and drops them. A rule
 * that also outputs to ports has sent copies there ({@code dup}) before; one that also hands the frame to the
 * bridge ({@code normal,controller}) marks it {@link #PASS_MARK} too, and the tail accepts it after logging. The
 * tail also meets the frames no rule took (OpenFlow's table miss). A named {@code limit} in that chain caps the
 * frames per second, so a broadcast storm costs the kernel a limit check per frame, not a copy to userspace.
 * Frames over the limit are dropped, as Open vSwitch drops packet-ins over its rate.
 *
 * @param group         the nfnetlink_log group (unique within the fabric namespace)
 * @param ratePerSecond frames per second handed to the agent at most
 */
public record NftPacketIn(int group, int ratePerSecond) {
    /** The id carried by frames no rule matched: rule ids start at 1. */
    public static final int MISS_MARK = 0;
    /** The mark bit of a frame on its way to the controller. */
    public static final int PUNT_MARK = 0x20000000;
    /** The mark bit of a frame that goes to the bridge as well as to the controller ({@code normal,controller}). */
    public static final int PASS_MARK = 0x40000000;
    /** The bits of the mark that carry the rule's id. */
    public static final int ID_MASK = 0x0fffffff;
    /** Every bit of the mark the flow table uses; the head table clears them. */
    static final int FLOW_TABLE_BITS = NftShard.NORMAL_MARK | PUNT_MARK | PASS_MARK | ID_MASK;
    /** Hook priority of the tail table: after every slice. */
    static final int TAIL_HOOK_PRIORITY = Integer.MAX_VALUE;
    static final String CHAIN = "packet_in";

    public NftPacketIn {
        if (group < 1 || group > 65535) {
            throw new IllegalArgumentException("nflog group must be within 1..65535, was " + group);
        }
        if (ratePerSecond < 1) {
            throw new IllegalArgumentException("packet-in rate must be at least 1 per second, was " + ratePerSecond);
        }
    }

    /** The rule id of a logged frame's mark ({@link #MISS_MARK} for a table miss). */
    public static long ruleId(long mark) {
        return mark & ID_MASK;
    }

    /** The mark a {@code controller} rule gives its frames. */
    static int markOf(long ruleId) {
        return NftShard.NORMAL_MARK | PUNT_MARK | (int) (ruleId & ID_MASK);
    }

    /**
     * The mark a rule whose action sends to the controller gives its frames: with {@link #PASS_MARK} when the
     * frame also goes to the bridge ({@code normal,controller}).
     */
    static int markOf(long ruleId, FlowAction action) {
        boolean pass = action instanceof FlowAction.WithController w && w.forward() instanceof FlowAction.Normal;
        return markOf(ruleId) | (pass ? PASS_MARK : 0);
    }

    /** The tail table of switch table {@code head}. */
    static String tailTable(String head) {
        return head + "__tail";
    }

    /**
     * The tail table's body (within its block): the limit and chain of the punt path (when {@code packetIn} is
     * given) and one chain per port. Without a punt path, frames for the controller are dropped, as Open vSwitch
     * does while no controller is connected.
     */
    static String tailBody(NftPacketIn packetIn, List<String> ports, FlowAction miss) {
        StringBuilder s = new StringBuilder();
        if (packetIn != null) {
            // A burst of a tenth of a second's worth lets the first frames of a few new flows through at once.
            int burst = Math.max(5, packetIn.ratePerSecond / 10);
            s.append("  limit ").append(CHAIN).append(" { rate ").append(packetIn.ratePerSecond)
                    .append("/second burst ").append(burst).append(" packets }\n");
            s.append("  chain ").append(CHAIN).append(" {\n");
            // queue-threshold 1: every frame is sent at once instead of waiting for 100 or a second.
            s.append("    limit name \"").append(CHAIN).append("\" log group ").append(packetIn.group)
                    .append(" queue-threshold 1\n");
            s.append("    meta mark & ").append(hex(PASS_MARK)).append(" == ").append(hex(PASS_MARK))
                    .append(" accept\n");
            s.append("    drop\n");
            s.append("  }\n");
        }
        String punt = packetIn != null ? "jump " + CHAIN : "drop";
        // Without a punt path a frame that also goes to the bridge only loses its copy: it is not dropped here.
        int puntTest = packetIn != null ? PUNT_MARK : PUNT_MARK | PASS_MARK;
        for (int i = 0; i < ports.size(); i++) {
            s.append("  chain ").append(NftFlowCompiler.chainName(i)).append(" {\n");
            s.append("    type filter hook ingress device ").append(NftFlowCompiler.quoted(ports.get(i)))
                    .append(" priority ").append(TAIL_HOOK_PRIORITY).append("; policy accept;\n");
            s.append("    meta mark & ").append(hex(puntTest)).append(" == ").append(hex(PUNT_MARK)).append(' ')
                    .append(punt).append('\n');
            s.append("    meta mark & ").append(hex(NftShard.NORMAL_MARK)).append(" == ")
                    .append(hex(NftShard.NORMAL_MARK)).append(" accept\n");
            switch (miss) {
                case FlowAction.Drop d -> s.append("    drop\n");
                case FlowAction.Controller c -> s.append("    ").append(packetIn != null
                        ? "meta mark set " + hex(PUNT_MARK | MISS_MARK) + " " + punt : "drop").append('\n');
                default -> {
                }
            }
            s.append("  }\n");
        }
        return s.toString();
    }

    static String hex(int value) {
        return String.format("0x%08x", value);
    }
}
