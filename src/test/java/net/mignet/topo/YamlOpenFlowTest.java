package net.mignet.topo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The switches' OpenFlow keys: listen, packet-in-rate, controller and fail-mode, with file:line errors. */
class YamlOpenFlowTest {
    private static final String HEAD = """
            hosts:
              h1:
              h2:
            switches:
            """;
    private static final String LINKS = """
            links:
              - ends: [h1, s1]
              - ends: [h2, s2]
              - ends: [s1, s2]
            """;

    @Test
    void reads_listen_controller_fail_mode_and_rate() {
        Topology t = YamlTopologyLoader.parse(HEAD + """
                  s1:
                    openflow: {listen: 127.0.0.1:6634, packet-in-rate: 200}
                    controller: tcp:127.0.0.1:6653
                    fail-mode: secure
                  s2:
                """ + LINKS, "t.yaml");
        SwitchOpenFlow s1 = t.switches().get(0).openflow();
        assertThat(s1.listen()).isEqualTo(OpenFlowAddress.parse("127.0.0.1:6634"));
        assertThat(s1.controller()).isEqualTo(OpenFlowAddress.parse("127.0.0.1:6653"));
        assertThat(s1.failMode()).isEqualTo(FailMode.SECURE);
        assertThat(s1.packetInRate()).isEqualTo(200);
        assertThat(t.switches().get(1).openflow()).isEqualTo(SwitchOpenFlow.NONE);
    }

    @Test
    void refuses_other_than_loopback_bad_modes_and_shared_ports_with_lines() {
        assertThatThrownBy(() -> YamlTopologyLoader.parse(HEAD + """
                  s1:
                    openflow: {listen: 10.0.0.1:6634}
                    controller: tcp:192.168.1.5:6653
                    fail-mode: open
                  s2:
                    controller: 127.0.0.1:6653
                    openflow: {listn: 127.0.0.1:6635, packet-in-rate: 0}
                """ + LINKS, "t.yaml"))
                .hasMessageContaining("t.yaml:6: listen: address 10.0.0.1 is not a loopback address")
                .hasMessageContaining("t.yaml:7: controller: address 192.168.1.5 is not a loopback address")
                .hasMessageContaining("t.yaml:8: fail-mode 'open' must be standalone or secure")
                .hasMessageContaining("t.yaml:10: controller '127.0.0.1:6653' must be tcp:ADDRESS:PORT")
                .hasMessageNotContaining("fail-mode: fail-mode").hasMessageNotContaining("controller: controller")
                .hasMessageContaining("t.yaml:11: unknown key 'listn' in openflow of switch 's2' (did you mean"
                        + " 'listen'?)")
                .hasMessageContaining("t.yaml:11: packet-in-rate: 0 must be within 1..1000000");
        assertThatThrownBy(() -> YamlTopologyLoader.parse(HEAD + """
                  s1:
                    openflow: {listen: 127.0.0.1:6634}
                  s2:
                    openflow: {listen: "127.0.0.1:6634"}
                """ + LINKS, "t.yaml"))
                .hasMessageContaining("t.yaml:8: switch 's2' listens for OpenFlow on 127.0.0.1:6634, as switch 's1'"
                        + " does (line 6)");
    }
}
