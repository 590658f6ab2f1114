package net.mignet.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.FailMode;
import net.mignet.topo.Topology;
import net.mignet.topo.YamlTopologyLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Agents started from the topology file's keys: only where asked, with the file's listener and fail mode. */
class OpenFlowAgentsTest {

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("ping");
    }

    @Test
    void the_files_keys_start_a_secure_agent_on_its_port() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Topology t = YamlTopologyLoader.parse("""
                hosts:
                  h1: {ip: 10.0.0.1/24}
                  h2: {ip: 10.0.0.2/24}
                  h3: {ip: 10.0.0.3/24}
                switches:
                  s1:
                    openflow: {listen: 127.0.0.1:%d}
                    fail-mode: secure
                  s2:
                links:
                  - ends: [h1, s1]
                  - ends: [h2, s1]
                  - ends: [h3, s2]
                  - ends: [s1, s2]
                """.formatted(port), "t.yaml");
        try (Emulation net = Emulation.start(t);
                OpenFlowAgents agents = OpenFlowAgents.start(net, OpenFlowAgents.Options.NONE, s -> { })) {
            assertThat(agents.agents()).singleElement().satisfies(a -> {
                assertThat(a.switchName()).isEqualTo("s1");
                assertThat(a.failMode()).isEqualTo(FailMode.SECURE);
                assertThat(a.listenAddress().getPort()).isEqualTo(port);
                assertThat(a.datapathId()).isEqualTo(1);
            });
            assertThat(agents.describe()).singleElement().asString().contains("fail-mode secure",
                    "tcp:127.0.0.1:" + port);
            // s1 is secure without a controller: h1 and h2 stay apart; s2 (no agent) is the plain bridge.
            assertThat(net.host("h1").ping("10.0.0.2", 1).received()).isZero();
        }
    }
}
