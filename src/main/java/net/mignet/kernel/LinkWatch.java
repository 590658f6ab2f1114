package net.mignet.kernel;

import java.time.Duration;
import java.util.List;

/**
 * Waits for the kernel's link watch to take freshly raised carriers into service. An interface brought up while
 * its veth peer is still down gets no working transmit queue; when the peer comes up and the carrier with it, the
 * queue is attached not in that call but later, by the link-watch work, which needs the rtnl lock and can wait
 * behind other namespaces' set-up or tear-down on a busy machine. Until then every frame sent through the
 * interface (a bridge forwarding to a port, a tc redirect, a host's first ARP request) is dropped, and a host
 * asks again for a lost ARP answer only a second later. The kernel marks the interface running in the same
 * step, so a dump of the namespace's interfaces shows when the wait is over.
 */
public final class LinkWatch {
    /** Link watch runs a thousand interfaces in well under a second; this long without progress is a fault. */
    private static final Duration WITHOUT_PROGRESS = Duration.ofSeconds(5);
    private static final long MAX_PAUSE_MILLIS = 20;

    private LinkWatch() {
    }

    /**
     * Waits in each namespace until no interface with its carrier is still waiting for link watch. Returns the
     * interfaces (as {@code namespace/name}) still waiting after {@link #WITHOUT_PROGRESS} passed without one of
     * them coming into service; they work once link watch reaches them, so callers report rather than fail.
     */
    public static List<String> awaitOperational(List<String> namespaces) {
        List<String> stuck = new java.util.ArrayList<>();
        NamespaceThread.forEach(namespaces, ns -> {
            try (RouteLinks links = RouteLinks.open()) {
                awaitIn(links).forEach(name -> stuck.add(ns + "/" + name));
            }
        });
        return stuck;
    }

    private static List<String> awaitIn(RouteLinks links) {
        long pause = 1;
        int fewest = Integer.MAX_VALUE;
        long lastProgress = System.nanoTime();
        while (true) {
            List<String> waiting = links.links().stream().filter(RouteLinks.Link::awaitingLinkWatch)
                    .map(RouteLinks.Link::name).toList();
            if (waiting.isEmpty()) {
                return waiting;
            }
            if (waiting.size() < fewest) {
                fewest = waiting.size();
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > WITHOUT_PROGRESS.toNanos()) {
                return waiting;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return waiting;
            }
            pause = Math.min(MAX_PAUSE_MILLIS, pause * 2);
        }
    }
}
