package net.mignet.net;

/**
 * What OpenFlow attaches to a rule besides its match and action. Rules from the shell and the topology file have
 * {@link #NONE}.
 *
 * @param cookie        the controller's opaque tag
 * @param idleTimeout   seconds without a matching frame after which the rule expires; 0 for never
 * @param hardTimeout   seconds after its installation at which the rule expires; 0 for never
 * @param notifyRemoval whether the controller that set it wants a FLOW_REMOVED when it goes
 */
public record FlowOptions(long cookie, int idleTimeout, int hardTimeout, boolean notifyRemoval) {
    public static final FlowOptions NONE = new FlowOptions(0, 0, 0, false);

    public FlowOptions {
        if (idleTimeout < 0 || idleTimeout > 65535 || hardTimeout < 0 || hardTimeout > 65535) {
            throw new IllegalArgumentException("timeouts must be within 0..65535 s, were idle " + idleTimeout
                    + " hard " + hardTimeout);
        }
    }

    public boolean expires() {
        return idleTimeout > 0 || hardTimeout > 0;
    }
}
