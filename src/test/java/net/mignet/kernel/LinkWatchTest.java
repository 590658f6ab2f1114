package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Waiting for link watch: interfaces raised before their peers come into service; dormant ones are not awaited. */
class LinkWatchTest {

    @Test
    void interfaces_raised_before_their_peers_are_in_service_when_the_wait_ends_and_a_dormant_one_is_not_awaited() {
        KernelAssumptions.assumeRoot();
        String ns = "mignet-lwtest-" + ProcessHandle.current().pid();
        Command.check(List.of("ip", "netns", "add", ns));
        try {
            IpBatch ip = raisedBeforeTheirPeers(ns, 200);
            ip.add("link", "add", "name", "lw-c", "type", "veth", "peer", "name", "lw-d")
                    // Dormant: carrier but never running until a supplicant says so; nobody will here.
                    .add("link", "set", "dev", "lw-c", "mode", "dormant")
                    .add("link", "set", "dev", "lw-c", "up").add("link", "set", "dev", "lw-d", "up").run();
            long t0 = System.nanoTime();
            List<String> stuck = LinkWatch.awaitOperational(List.of(ns));
            double seconds = (System.nanoTime() - t0) / 1e9;

            // A dump, not an interface asked for by name: asking would itself run link watch.
            try (RouteLinks dump = NamespaceThread.call(ns, RouteLinks::open)) {
                List<RouteLinks.Link> links = dump.links();
                assertThat(links).filteredOn(RouteLinks.Link::awaitingLinkWatch).isEmpty();
                assertThat(links).filteredOn(l -> l.name().startsWith("lw-")).hasSize(402)
                        .allSatisfy(l -> assertThat(l.up()).as(l.name()).isTrue());
            }
            assertThat(stuck).isEmpty();
            // The stall bound is 5 s: waiting for the dormant interface would have taken that long.
            assertThat(seconds).isLessThan(4.0);
            String c = Command.check(List.of("ip", "-n", ns, "-j", "link", "show", "dev", "lw-c")).stdout();
            assertThat(c).contains("\"operstate\":\"DORMANT\"");
        } finally {
            // The kernel removes the devices in the background (deleting 2000 here first took 25 s).
            Command.run(List.of("ip", "netns", "del", ns));
        }
    }

    @Test
    void asking_for_each_waiting_interface_brings_its_link_watch_forward_without_a_pause() {
        KernelAssumptions.assumeRoot();
        Assumptions.assumeTrue(atLeast(6, 8), "Linux before 6.8 (" + System.getProperty("os.version")
                + ") does not run link watch for an interface asked for; the wait is then the kernel's own");
        String ns = "mignet-lwtest2-" + ProcessHandle.current().pid();
        Command.check(List.of("ip", "netns", "add", ns));
        try {
            // Carriers raised faster than link watch takes them (a few hundred per run, the next run up to a
            // second later): many of the first ends wait.
            raisedBeforeTheirPeers(ns, 1000).run();
            try (RouteLinks links = NamespaceThread.call(ns, RouteLinks::open)) {
                List<String> waiting = waitingIn(links);
                for (int again = 0; again < 3 && waiting.isEmpty(); again++) {
                    // Link watch kept up this time: the second ends' carriers go and come again, all at once.
                    IpBatch flap = IpBatch.ipIn(ns);
                    for (int i = 0; i < 1000; i++) {
                        flap.add("link", "set", "dev", "lw-b" + i, "down");
                    }
                    for (int i = 0; i < 1000; i++) {
                        flap.add("link", "set", "dev", "lw-b" + i, "up");
                    }
                    flap.run();
                    waiting = waitingIn(links);
                }
                Assumptions.assumeTrue(waiting.size() > 0,
                        "link watch took all 2000 carriers at once, four times; nothing left to bring forward");
                LinkWatch.Outcome outcome = LinkWatch.awaitIn(links, waiting);
                System.out.println(waiting.size() + " of 2000 interfaces waiting for link watch; " + outcome);
                assertThat(outcome.waiting()).isEmpty();
                assertThat(outcome.pauses()).as("rounds that brought nothing forward").isZero();
                assertThat(links.links()).filteredOn(RouteLinks.Link::awaitingLinkWatch).isEmpty();
            }
        } finally {
            // The kernel removes the devices in the background (deleting 2000 here first took 25 s).
            Command.run(List.of("ip", "netns", "del", ns));
        }
    }

    /** {@code pairs} veth pairs, every first end raised before any second end, in one batch (not yet run). */
    private static IpBatch raisedBeforeTheirPeers(String ns, int pairs) {
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
        return ip;
    }

    private static List<String> waitingIn(RouteLinks links) {
        return links.links().stream().filter(RouteLinks.Link::awaitingLinkWatch).map(RouteLinks.Link::name).toList();
    }

    private static boolean atLeast(int major, int minor) {
        String[] v = System.getProperty("os.version").split("[.-]");
        int ma = Integer.parseInt(v[0]);
        int mi = v.length > 1 ? Integer.parseInt(v[1]) : 0;
        return ma > major || ma == major && mi >= minor;
    }
}
