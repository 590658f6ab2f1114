package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.Test;

/** Over rtnetlink: indexes by name, and a dump of names, MACs, up state and counters as {@code ip -s link} shows. */
class RouteLinksTest {

    @Test
    void finds_indexes_and_reports_what_ip_link_reports() {
        KernelAssumptions.assumeRoot();
        String ns = "mignet-lsdtest-" + ProcessHandle.current().pid();
        Command.check(List.of("ip", "netns", "add", ns));
        try {
            // No IPv6 chatter: the only frames are the test's own.
            Command.check(List.of("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1"));
            Command.check(List.of("ip", "-n", ns, "link", "add", "lsd-a", "address", "02:00:00:00:0a:01", "type",
                    "veth", "peer", "name", "lsd-b", "address", "02:00:00:00:0b:02"));
            Command.check(List.of("ip", "-n", ns, "link", "set", "lsd-a", "up"));
            Command.check(List.of("ip", "-n", ns, "addr", "add", "10.77.0.1/24", "dev", "lsd-a"));
            // lsd-b stays down: lsd-a is up but without carrier, lsd-b neither.
            Map<String, RouteLinks.Link> links;
            try (RouteLinks dump = NamespaceThread.call(ns, RouteLinks::open)) {
                links = dump.links().stream().collect(Collectors.toMap(RouteLinks.Link::name,
                        Function.identity()));
                assertThat(links).containsKeys("lo", "lsd-a", "lsd-b");
                assertThat(links.get("lsd-a").mac()).isEqualTo(0x0200_0000_0a01L);
                assertThat(links.get("lsd-b").mac()).isEqualTo(0x0200_0000_0b02L);
                assertThat(links.get("lsd-a").up()).isFalse();
                assertThat(links.get("lsd-b").up()).isFalse();

                Command.check(List.of("ip", "-n", ns, "link", "set", "lsd-b", "up"));
                // lsd-a came up first: its pings would be dropped until link watch has seen its carrier.
                assertThat(LinkWatch.awaitOperational(List.of(ns))).isEmpty();
                // Broadcast pings (no ARP, nothing sent later) leave on lsd-a and arrive on lsd-b.
                Command.run(List.of("ip", "netns", "exec", ns, "ping", "-b", "-c", "3", "-i", "0.01", "-W", "1",
                        "10.77.0.255"));
                links = dump.links().stream().collect(Collectors.toMap(RouteLinks.Link::name,
                        Function.identity()));

                String b = Command.check(List.of("ip", "-n", ns, "-j", "link", "show", "lsd-b")).stdout();
                assertThat(b).contains("\"ifindex\":" + dump.indexOf("lsd-b") + ",");
                assertThat(dump.indexOf("lo")).isEqualTo(1);
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> dump.indexOf("lsd-none"))
                        .hasMessageStartingWith("no interface named lsd-none (");
            }
            assertThat(links.get("lsd-a").up()).isTrue();
            assertThat(links.get("lsd-b").up()).isTrue();
            RouteLinks.Link a = links.get("lsd-a");
            RouteLinks.Link b = links.get("lsd-b");
            assertThat(a.txPackets()).isGreaterThanOrEqualTo(3);
            assertThat(b.rxPackets()).isEqualTo(a.txPackets());
            assertThat(b.rxBytes()).isEqualTo(a.txBytes());
            String shown = Command.check(List.of("ip", "-n", ns, "-s", "-j", "link", "show", "lsd-a")).stdout();
            assertThat(shown).contains("\"packets\":" + a.txPackets() + ",");
        } finally {
            Command.run(List.of("ip", "netns", "del", ns));
        }
    }
}
