package net.mignet.flow;

import java.util.List;
import java.util.Map;

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

    /**
     * Send the frame on as {@code forward} says (outputs to ports, {@code normal} or {@code flood}) and a copy to
     * the controllers as a PACKET_IN (ovs-ofctl's {@code output:s1-h2,controller} or {@code normal,controller}).
     * Without an agent, or over the packet-in rate, only the copy is missing.
     */
    record WithController(FlowAction forward) implements FlowAction {
        public WithController {
            if (!(forward instanceof Output || forward instanceof Normal || forward instanceof Flood)) {
                throw new IllegalArgumentException("controller combines with outputs to ports, normal or flood, not "
                        + forward);
            }
        }
    }

    /** Whether frames this action takes reach the controller as PACKET_INs. */
    default boolean toController() {
        return this instanceof Controller || this instanceof WithController;
    }

    /** The ports this action names in {@code output:PORT} (empty for the others). */
    default List<String> outputPorts() {
        return switch (this) {
            case Output o -> o.ports();
            case WithController w -> w.forward().outputPorts();
            default -> List.of();
        };
    }

    /**
     * This action with its named output ports replaced as {@code moves} says (a port in no key stays), as a
     * migration moves a service's port; other actions stay as they are.
     */
    default FlowAction withPortsMoved(Map<String, String> moves) {
        return switch (this) {
            case Output o -> new Output(o.ports().stream().map(p -> moves.getOrDefault(p, p)).distinct().toList());
            case WithController w -> new WithController(w.forward().withPortsMoved(moves));
            default -> this;
        };
    }
}
