package net.mignet.flow;

/** Parses flow rules written in ovs-ofctl syntax. */
public final class FlowRuleParser {
    private FlowRuleParser() {
    }

    /**
     * Parses one rule, e.g. {@code priority=100,in_port=s1-h1,udp,tp_dst=8888 actions=output:s1-h2}.
     *
     * @throws IllegalArgumentException naming the bad part and what to write instead
     */
    public static FlowRule parse(String text) {
        throw new UnsupportedOperationException("not written yet");
    }
}
