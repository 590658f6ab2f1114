package net.mignet.kernel;

/**
 * How a switch's nftables flow table hands frames to its OpenFlow agent: rules whose action is
 * {@code controller} (and the table miss, when it goes to the controller) mark the frame with the rule's id and
 * jump to one chain that logs it to nfnetlink_log group {@code group} and drops it. A named {@code limit} in
 * that chain caps the frames per second, so a broadcast storm costs the kernel a limit check per frame, not a
 * copy to userspace. Frames over the limit are dropped, as Open vSwitch drops packet-ins over its rate.
 *
 * @param group         the nfnetlink_log group (unique within the fabric namespace)
 * @param ratePerSecond frames per second handed to the agent at most
 */
public record NftPacketIn(int group, int ratePerSecond) {
    /** The mark of frames no rule matched: rule ids start at 1. */
    public static final int MISS_MARK = 0;
    static final String CHAIN = "packet_in";

    public NftPacketIn {
        if (group < 1 || group > 65535) {
            throw new IllegalArgumentException("nflog group must be within 1..65535, was " + group);
        }
        if (ratePerSecond < 1) {
            throw new IllegalArgumentException("packet-in rate must be at least 1 per second, was " + ratePerSecond);
        }
    }

    /** The limit and the chain, as lines within the table's block. */
    String declarations() {
        // A burst of a tenth of a second's worth lets the first frames of a few new flows through at once.
        int burst = Math.max(5, ratePerSecond / 10);
        return "  limit " + CHAIN + " { rate " + ratePerSecond + "/second burst " + burst + " packets }\n"
                + "  chain " + CHAIN + " {\n"
                // queue-threshold 1: every frame is sent at once instead of waiting for 100 or a second.
                + "    limit name \"" + CHAIN + "\" log group " + group + " queue-threshold 1\n"
                + "    drop\n"
                + "  }\n";
    }

    /** The verdict of a rule (or of the miss, with {@link #MISS_MARK}) that sends frames to the agent. */
    String verdict(long mark) {
        return "meta mark set " + mark + " jump " + CHAIN;
    }
}
