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
 *
 * <p>Link watch takes a hundred interfaces per run and may wait up to a second before the next hundred: starting
 * 1000 hosts right after another network's tear-down waited 1.9 s once. Since Linux 6.8 asking for one
 * interface ({@code RTM_GETLINK} by name) makes the kernel run its pending link watch at once, so each waiting
 * interface is asked for; older kernels answer without it, and the wait is the kernel's own.
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
        List<String> waiting = waiting(links);
        while (!waiting.isEmpty()) {
            for (String name : waiting) {
                try {
                    links.indexOf(name);
                } catch (IllegalStateException gone) {
                    // removed meanwhile: nothing to wait for
                }
            }
            waiting = waiting(links);
            if (waiting.isEmpty()) {
                break;
            }
            if (waiting.size() < fewest) {
                fewest = waiting.size();
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > WITHOUT_PROGRESS.toNanos()) {
                break;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            pause = Math.min(MAX_PAUSE_MILLIS, pause * 2);
            waiting = waiting(links);
        }
        return waiting;
    }

    private static List<String> waiting(RouteLinks links) {
        return links.links().stream().filter(RouteLinks.Link::awaitingLinkWatch).map(RouteLinks.Link::name).toList();
    }
}
