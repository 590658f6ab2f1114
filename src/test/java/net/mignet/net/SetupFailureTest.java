package net.mignet.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.mignet.kernel.EmulationId;
import net.mignet.kernel.NetnsPaths;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.Ipv4Prefix;
import net.mignet.topo.Topology;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Where the kernel refuses what validation could not know, the error names the part of the topology and what
 * to change, and the closing line counts what was really removed (issue 9: a refused setup ended with "removed
 * 0 namespaces" although it had built some).
 */
class SetupFailureTest {

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
    }

    @Test
    void a_refused_setting_names_the_host_and_the_teardown_counts_what_was_built() {
        Topology t = Topology.builder("refused").addHost("h1").addHost("h2", (Ipv4Prefix) null,
                        Map.of("net.ipv4.no_such_setting", "1"))
                .addSwitch("s1").addLink("h1", "s1").addLink("h2", "s1").build();
        int before = NetnsPaths.list().size();
        List<String> log = new ArrayList<>();
        EmulationId id = EmulationId.fresh(t.name());
        assertThatThrownBy(() -> Emulation.start(t, id, log::add))
                .hasMessageContaining("host 'h2'")
                .hasMessageContaining("sysctl net.ipv4.no_such_setting does not exist");
        assertThat(NetnsPaths.list()).hasSize(before);
        assertThat(log).anyMatch(l -> l.contains("not built (setup failed): removed 3 namespaces"));
    }

    @Test
    void from_a_file_the_refusal_names_the_line() throws Exception {
        Topology t = net.mignet.topo.YamlTopologyLoader.parse("""
                hosts:
                  h1:
                  h2:
                    sysctls: {net.ipv4.no_such_setting: 1}
                switches:
                  s1:
                links:
                  - ends: [h1, s1]
                  - ends: [h2, s1]
                """, "refused.yaml");
        assertThatThrownBy(() -> Emulation.start(t, EmulationId.fresh(t.name()), line -> { }))
                .hasMessageStartingWith("host 'h2' (refused.yaml:3): sysctl net.ipv4.no_such_setting does not exist");
    }
}
