package net.mignet.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.mignet.kernel.Command;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.Topology;
import net.mignet.topo.TopologyBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Interfaces and switch ports named like {@code ip}'s keywords (issue 9: such names broke setup, and a port
 * named {@code alias} came up silently outside its bridge) are plain names: the network comes up and every host
 * reaches every other, also through a port the userspace link engine took over.
 */
class HostileNamesTest {
    private static final List<String> KEYWORDS = List.of("a", "addr", "dev", "name", "type", "netns", "master",
            "mtu", "group", "index", "up", "alias", "peer", "link", "help");

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("ping");
    }

    @Test
    void hosts_and_ports_named_like_ip_keywords_come_up_and_reach_each_other() {
        TopologyBuilder b = Topology.builder("keywords").addSwitch("s1");
        for (int i = 0; i < KEYWORDS.size(); i++) {
            String word = KEYWORDS.get(i);
            String host = "h" + (i + 1);
            b.addHost(host);
            // The host's interface and the switch port both carry the keyword; "alias" gets a delayed link, so
            // the userspace engine also moves a keyword-named port.
            b.addLink(host, "s1", o -> {
                o.intfName1(word).intfName2(word).ip1("10.0.0." + (KEYWORDS.indexOf(word) + 1) + "/24");
                if (word.equals("alias")) {
                    o.delay("1ms");
                }
            });
        }
        try (Emulation net = Emulation.start(b.build())) {
            for (String word : KEYWORDS) {
                String show = Command.run(List.of("ip", "-n", net.id().fabricNamespace(), "-o", "link", "show",
                        "dev", word)).orThrow().stdout();
                assertThat(show).as("port %s", word).contains("master s1").contains("state UP");
            }
            for (int i = 2; i <= KEYWORDS.size(); i++) {
                PingResult r = net.host("h1").ping("10.0.0." + i, 1);
                assertThat(r.allReceived()).as("h1 -> h%d (%s): %s", i, KEYWORDS.get(i - 1), r.output()).isTrue();
            }
            int alias = KEYWORDS.indexOf("alias") + 1;
            assertThat(net.host("h" + alias).ping("10.0.0.1", 1).allReceived()).isTrue();
        }
    }
}
