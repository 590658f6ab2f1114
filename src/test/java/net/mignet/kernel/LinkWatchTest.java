package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.Test;

/** Waiting for link watch: interfaces raised before their peers come into service; dormant ones are not awaited. */
class LinkWatchTest {

    @Test
    void an_interface_raised_before_its_peer_is_in_service_when_the_wait_ends_and_a_dormant_one_is_not_awaited() {
        KernelAssumptions.assumeRoot();
        String ns = "mignet-lwtest-" + ProcessHandle.current().pid();
        Command.check(List.of("ip", "netns", "add", ns));
        try {
            IpBatch.ipIn(ns).add("link", "add", "name", "lw-a", "type", "veth", "peer", "name", "lw-b")
                    .add("link", "add", "name", "lw-c", "type", "veth", "peer", "name", "lw-d")
                    // Dormant: carrier but never running until a supplicant says so; nobody will here.
                    .add("link", "set", "dev", "lw-c", "mode", "dormant")
                    .add("link", "set", "dev", "lw-a", "up").add("link", "set", "dev", "lw-c", "up")
                    .add("link", "set", "dev", "lw-b", "up").add("link", "set", "dev", "lw-d", "up").run();
            long t0 = System.nanoTime();
            List<String> stuck = LinkWatch.awaitOperational(List.of(ns));
            double seconds = (System.nanoTime() - t0) / 1e9;

            assertThat(stuck).isEmpty();
            // The stall bound is 5 s: waiting for the dormant interface would have taken that long.
            assertThat(seconds).isLessThan(4.0);
            String a = Command.check(List.of("ip", "-n", ns, "-j", "link", "show", "dev", "lw-a")).stdout();
            assertThat(a).contains("\"operstate\":\"UP\"");
            String c = Command.check(List.of("ip", "-n", ns, "-j", "link", "show", "dev", "lw-c")).stdout();
            assertThat(c).contains("\"operstate\":\"DORMANT\"");
            try (RouteLinks dump = NamespaceThread.call(ns, RouteLinks::open)) {
                assertThat(dump.links()).filteredOn(l -> l.name().startsWith("lw-"))
                        .extracting(RouteLinks.Link::name, RouteLinks.Link::up, RouteLinks.Link::awaitingLinkWatch)
                        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("lw-a", true, false),
                                org.assertj.core.groups.Tuple.tuple("lw-b", true, false),
                                org.assertj.core.groups.Tuple.tuple("lw-c", true, false),
                                org.assertj.core.groups.Tuple.tuple("lw-d", true, false));
            }
        } finally {
            Command.run(List.of("ip", "netns", "del", ns));
        }
    }

    @Test
    void asking_for_an_interface_brings_its_pending_link_watch_forward() {
        KernelAssumptions.assumeRoot();
        String ns = "mignet-lwtest2-" + ProcessHandle.current().pid();
        Command.check(List.of("ip", "netns", "add", ns));
        try {
            // Carriers raised faster than link watch takes them (a hundred per run, the next run up to a second
            // later): most of the first ends wait.
            int pairs = 1000;
            IpBatch ip = IpBatch.ipIn(ns);
            for (int i = 0; i < pairs; i++) {
                ip.add("link", "add", "name", "lw-a" + i, "type", "veth", "peer", "name", "lw-b" + i);
            }
            for (int i = 0; i < pairs; i++) {
                ip.add("link", "set", "dev", "lw-a" + i, "up");
            }
            for (int i = 0; i < pairs; i++) {
                ip.add("link", "set", "dev", "lw-b" + i, "up");
            }
            ip.run();
            try (RouteLinks links = NamespaceThread.call(ns, RouteLinks::open)) {
                List<String> waiting = links.links().stream().filter(RouteLinks.Link::awaitingLinkWatch)
                        .map(RouteLinks.Link::name).toList();
                org.junit.jupiter.api.Assumptions.assumeTrue(waiting.size() > 0,
                        "link watch took all " + pairs + " carriers at once; nothing left to bring forward");
                System.out.println(waiting.size() + " of " + 2 * pairs + " interfaces waiting for link watch");
                waiting.forEach(links::indexOf);
                assertThat(links.links()).filteredOn(RouteLinks.Link::awaitingLinkWatch)
                        .as("asked for (Linux 6.8 and later run the link watch of the interface asked for)")
                        .isEmpty();
            }
        } finally {
            Command.run(List.of("ip", "netns", "del", ns));
        }
    }
}
