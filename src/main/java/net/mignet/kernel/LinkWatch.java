package net.mignet.kernel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Waits for the kernel's link watch to take freshly raised carriers into service. An interface brought up while
 * its veth peer is still down gets no working transmit queue; when the peer comes up and the carrier with it, the
 * queue is attached not in that call but later, by the link-watch work, which needs the rtnl lock and can wait
 * behind other namespaces' set-up or tear-down on a busy machine. Until then every frame sent through the
 * interface (a bridge forwarding to a port, a tc redirect, a host's first ARP request) is dropped, and a host
 * asks again for a lost ARP answer only a second later. The kernel marks the interface running in the same
 * step, so its flags show when the wait is over.
 *
 * <p>Link watch takes a few hundred interfaces per run and may wait up to a second before the next run: starting
 * 1000 hosts right after another network's tear-down waited 1.9 s once, and 2000 veth pairs raised in one batch
 * took 10 s. Since Linux 6.8 asking for one interface by name ({@code RTM_GETLINK}) makes the kernel run that
 * interface's pending link watch at once, so each waiting interface is asked for; older kernels answer without
 * it, and the wait is the kernel's own.
 *
 * <p>Never throws: an interface that cannot be checked, or is still waiting after {@link #WITHOUT_PROGRESS}
 * without any of them coming into service, is returned for the caller to report. It carries frames once link
 * watch reaches it.
 */
public final class LinkWatch {
    /** Link watch is at most a second behind per run; this long without progress is a fault. */
    private static final Duration WITHOUT_PROGRESS = Duration.ofSeconds(5);
    private static final long MAX_PAUSE_MILLIS = 20;

    /** What one wait found: the interfaces still waiting, and how many times it had to pause. */
    record Outcome(List<String> waiting, int pauses) {
    }

    private LinkWatch() {
    }

    /**
     * Waits until no interface of each namespace that has its carrier is still waiting for link watch (one dump
     * finds them: for a whole network, where any may wait). Returns those still waiting as {@code namespace/name}.
     */
    public static List<String> awaitOperational(List<String> namespaces) {
        List<String> stuck = new ArrayList<>();
        for (String ns : namespaces) {
            inNamespace(ns, links -> awaitIn(links, waiting(links)).waiting(), stuck);
        }
        return stuck;
    }

    /**
     * Like {@link #awaitOperational(List)} for the named interfaces only (no dump), given by namespace: each
     * namespace is entered once.
     */
    public static List<String> awaitOperational(Map<String, ? extends Collection<String>> devicesByNamespace) {
        List<String> stuck = new ArrayList<>();
        devicesByNamespace.forEach((ns, devices) -> inNamespace(ns,
                links -> awaitIn(links, List.copyOf(devices)).waiting(), stuck));
        return stuck;
    }

    private interface Wait {
        List<String> run(RouteLinks links);
    }

    private static void inNamespace(String ns, Wait wait, List<String> stuck) {
        try {
            List<String> left = NamespaceThread.call(ns, () -> {
                try (RouteLinks links = RouteLinks.open()) {
                    return wait.run(links);
                }
            });
            left.forEach(name -> stuck.add(ns + "/" + name));
        } catch (RuntimeException e) {
            // Gone meanwhile (a teardown), or interrupted: NamespaceThread keeps the interrupt for the caller.
            stuck.add(ns + "/? (not checked: " + e.getMessage() + ")");
        }
    }

    /**
     * Asks for each candidate by name until none is waiting. A round that brings none into service pauses
     * (1 ms, doubling to 20 ms): on kernels before 6.8 the asking does not help, and each ask takes the lock that
     * link watch itself needs.
     */
    static Outcome awaitIn(RouteLinks links, List<String> candidates) {
        List<String> waiting = candidates;
        int pauses = 0;
        long pause = 1;
        long lastProgress = System.nanoTime();
        while (!waiting.isEmpty()) {
            List<String> still = new ArrayList<>();
            for (String name : waiting) {
                Optional<RouteLinks.Link> link = links.link(name);
                if (link.isPresent() && link.get().awaitingLinkWatch()) {
                    still.add(name);
                }
            }
            if (still.size() < waiting.size()) {
                lastProgress = System.nanoTime();
            }
            waiting = still;
            if (waiting.isEmpty() || System.nanoTime() - lastProgress > WITHOUT_PROGRESS.toNanos()) {
                break;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            pauses++;
            pause = Math.min(MAX_PAUSE_MILLIS, pause * 2);
        }
        return new Outcome(waiting, pauses);
    }

    private static List<String> waiting(RouteLinks links) {
        return links.links().stream().filter(RouteLinks.Link::awaitingLinkWatch).map(RouteLinks.Link::name).toList();
    }
}
