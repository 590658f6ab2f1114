package net.mignet.migrate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.OptionalLong;
import net.mignet.kernel.RootQdiscLength;
import net.mignet.kernel.SoftnetBacklog;
import net.mignet.linkemu.LinkPath;
import net.mignet.linkemu.LinkTransit;
import net.mignet.net.Emulation;
import net.mignet.net.Host;
import net.mignet.net.Link;

/**
 * Looks, without waiting for any delay to pass, at everything that may still carry a frame toward a host: the
 * rate limit's qdisc where each of its links begins, the userspace link engine's receive ring and queue of each
 * link's direction toward it, and the kernel's receive backlogs (where a veth leaves a frame for the receiving
 * softirq). A frame sent toward the host is in one of them until the host's stack has taken it.
 *
 * <p>One look is not enough: a frame in the middle of a softirq (between a backlog and the ring, or between the
 * engine's send and the host's socket) is in none of them for some microseconds. Two looks with a pause of half
 * a millisecond or more between them that find everything empty and the engine's counters unchanged leave no such
 * frame unseen, short of a softirq stalled for that whole pause (a virtual CPU descheduled by its host).
 */
final class FramesOnTheWay implements AutoCloseable {
    /** One look: whether everything was empty, whether the engine held nothing, and its counters then. */
    record Look(boolean empty, boolean engineEmpty, long[] counters) {
        /** Everything empty now and before, and nothing moved through the engine in between. */
        boolean settledSince(Look before) {
            return before != null && empty && before.empty && Arrays.equals(counters, before.counters);
        }
    }

    private record Way(Link link, RootQdiscLength entryQueue) {
    }

    private final Host host;
    private final List<Way> ways;

    private FramesOnTheWay(Host host, List<Way> ways) {
        this.host = host;
        this.ways = ways;
    }

    /**
     * The ways into {@code host}; empty when some cannot be looked at exactly (netem, an engine reading without a
     * ring, a kernel without backlog counts), so that the caller falls back to waiting out the links' delay.
     */
    static Optional<FramesOnTheWay> toward(Emulation net, Host host) {
        return toward(net, host, Set.of());
    }

    /**
     * The ways into {@code host} from the switch ports {@code heldPorts} ({@code switch:port}, those a hold covers;
     * empty: every link of the host). A frame on another link of the host is not held, so it may reach the host
     * after the drain as well: waiting for it would protect nothing (the state network's own traffic toward the old
     * host, e.g. a pre-copy connection's acknowledgements, kept the looks from settling in half the drains).
     */
    static Optional<FramesOnTheWay> toward(Emulation net, Host host, Set<String> heldPorts) {
        if (SoftnetBacklog.frames().isEmpty()) {
            return Optional.empty();
        }
        List<Way> ways = new ArrayList<>();
        try {
            for (Link l : Links.of(net, host, heldPorts)) {
                if (l.transitToward(host.name()).isEmpty()) {
                    ways.forEach(w -> w.entryQueue().close());
                    return Optional.empty();
                }
                LinkPath.Port entry = l.entryToward(host.name());
                ways.add(new Way(l, RootQdiscLength.open(entry.namespace(), entry.device())));
            }
        } catch (RuntimeException e) {
            ways.forEach(w -> w.entryQueue().close());
            return Optional.empty();
        }
        return Optional.of(new FramesOnTheWay(host, ways));
    }

    /** Looks once, from the switch toward the host; empty when something cannot be read now. */
    Optional<Look> look() {
        boolean empty = true;
        boolean engineEmpty = true;
        long[] counters = new long[ways.size() * 2];
        for (int i = 0; i < ways.size(); i++) {
            Way w = ways.get(i);
            Optional<LinkTransit> t;
            try {
                empty &= w.entryQueue().frames() == 0;
                t = w.link().transitToward(host.name());
            } catch (RuntimeException e) {
                return Optional.empty();
            }
            if (t.isEmpty()) {
                return Optional.empty();
            }
            engineEmpty &= t.get().empty();
            counters[2 * i] = t.get().received();
            counters[2 * i + 1] = t.get().sent();
        }
        OptionalLong backlog = SoftnetBacklog.frames();
        if (backlog.isEmpty()) {
            return Optional.empty();
        }
        empty &= engineEmpty && backlog.getAsLong() == 0;
        return Optional.of(new Look(empty, engineEmpty, counters));
    }

    @Override
    public void close() {
        ways.forEach(w -> w.entryQueue().close());
    }
}
