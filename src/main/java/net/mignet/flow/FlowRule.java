package net.mignet.flow;

/**
 * A prioritized rule of a switch's flow table. Higher priority wins; among equal priorities the rule
 * added first wins. Frames no rule matches go to the learning bridge.
 */
public record FlowRule(int priority, FlowMatch match, FlowAction action) {
    public static final int DEFAULT_PRIORITY = 32768;

    public FlowRule {
        if (priority < 0 || priority > 65535) {
            throw new IllegalArgumentException("priority must be within 0..65535, was " + priority);
        }
    }
}
