package net.mignet.flow;

import java.util.List;

/** What a switch does with a frame that matched a rule. */
public sealed interface FlowAction {

    /** Send the frame out of each of these ports (switch-side interface names). */
    record Output(List<String> ports) implements FlowAction {
        public Output {
            ports = List.copyOf(ports);
            if (ports.isEmpty()) {
                throw new IllegalArgumentException("output needs at least one port");
            }
        }
    }

    /** Discard the frame. */
    record Drop() implements FlowAction {
    }

    /** Hand the frame to the learning bridge, as if no rule had matched. */
    record Normal() implements FlowAction {
    }

    /** Send the frame out of every port but the one it came in on. */
    record Flood() implements FlowAction {
    }

    /**
     * Send the frame to the switch's OpenFlow controllers as a PACKET_IN (ovs-ofctl's {@code controller}); a
     * switch without an OpenFlow agent drops it, as Open vSwitch does without a controller.
     */
    record Controller() implements FlowAction {
    }
}
