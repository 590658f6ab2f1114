package net.mignet.topo;

import net.mignet.flow.FlowAction;

/**
 * What a switch does while no controller is connected, as Open vSwitch's {@code fail-mode}: {@code standalone}
 * falls back to the learning bridge for frames no rule matches; {@code secure} drops them and waits for its
 * controller. Connections to the passive listener (ovs-ofctl) are service connections and never count.
 */
public enum FailMode {
    STANDALONE, SECURE;

    /** Parses {@code standalone} or {@code secure}, as the topology file and the command line give it. */
    public static FailMode parse(String text) {
        return switch (text) {
            case "standalone" -> STANDALONE;
            case "secure" -> SECURE;
            default -> throw new IllegalArgumentException("fail-mode '" + text + "' must be standalone or secure");
        };
    }

    /**
     * The table miss: with a controller connected it is OpenFlow's (to the controller for an OpenFlow 1.0
     * controller, which expects packet-ins on a miss; dropped for 1.3, whose controllers install a table-miss
     * rule), as Open vSwitch does; without one it is this mode's.
     */
    public FlowAction tableMiss(boolean controllerConnected, boolean anyOpenFlow10Controller) {
        if (controllerConnected) {
            return anyOpenFlow10Controller ? new FlowAction.Controller() : new FlowAction.Drop();
        }
        return this == STANDALONE ? new FlowAction.Normal() : new FlowAction.Drop();
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
