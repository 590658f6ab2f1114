package net.mignet.flow;

import java.util.List;

/**
 * A prioritized rule of a switch's flow table. Higher priority wins; among equal priorities the rule
 * added first wins, except that rules stored as set elements (exact MACs, IPv4 hosts or ports with one action,
 * see NftFlowShape) are tried after the other rules of their priority, and such rules of different shapes in no
 * fixed order: as in OpenFlow, overlapping rules of one priority should not be relied on. Frames no rule matches
 * go to the learning bridge. A matching frame gets the
 * {@code rewrites} (in order), then the {@code action}.
 */
public record FlowRule(int priority, FlowMatch match, FlowAction action, List<SetField> rewrites) {
    public static final int DEFAULT_PRIORITY = 32768;

    public FlowRule {
        if (priority < 0 || priority > 65535) {
            throw new IllegalArgumentException("priority must be within 0..65535, was " + priority);
        }
        rewrites = List.copyOf(rewrites);
        if (!rewrites.isEmpty() && rewrites.stream().anyMatch(SetField::needsIpv4)
                && !Integer.valueOf(0x0800).equals(match.ethType())) {
            throw new IllegalArgumentException("rewriting an IPv4 address needs a rule that matches only IPv4:"
                    + " add 'ip' (or tcp, udp, icmp) to the match");
        }
        if (!rewrites.isEmpty() && action instanceof FlowAction.Drop) {
            throw new IllegalArgumentException("rewriting a frame that is dropped does nothing: give an output,"
                    + " normal or flood action");
        }
    }

    /** A rule that rewrites nothing. */
    public FlowRule(int priority, FlowMatch match, FlowAction action) {
        this(priority, match, action, List.of());
    }

    /** The same rule with another action; its rewrites stay. */
    public FlowRule withAction(FlowAction newAction) {
        return new FlowRule(priority, match, newAction, rewrites);
    }
}
