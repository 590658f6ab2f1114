package net.mignet.topo;

/**
 * A switch's OpenFlow settings from the topology file ({@code openflow: {listen: 127.0.0.1:6634}},
 * {@code controller: tcp:127.0.0.1:6653}, {@code fail-mode: secure}); null fields are not given, and the command
 * line's {@code --openflow-listen-base} and {@code --controller} fill them in.
 *
 * @param listen        where the agent listens for tools and controllers
 * @param controller    the controller the agent connects to
 * @param failMode      what the switch does while no controller is connected
 * @param packetInRate  packet-ins per second at most ({@code openflow: {packet-in-rate: 1000}})
 */
public record SwitchOpenFlow(OpenFlowAddress listen, OpenFlowAddress controller, FailMode failMode,
        Integer packetInRate) {
    public static final SwitchOpenFlow NONE = new SwitchOpenFlow(null, null, null, null);

    public SwitchOpenFlow {
        if (packetInRate != null && (packetInRate < 1 || packetInRate > 1_000_000)) {
            throw new IllegalArgumentException("packet-in-rate must be within 1..1000000 per second, was "
                    + packetInRate);
        }
    }

    /** Whether the file asks for OpenFlow on this switch at all. */
    public boolean given() {
        return !equals(NONE);
    }
}
