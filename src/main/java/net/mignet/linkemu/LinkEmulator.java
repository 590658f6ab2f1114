package net.mignet.linkemu;

import java.util.List;
import java.util.Optional;
import net.mignet.topo.LinkParams;

/**
 * Applies link parameters (rate, delay, jitter, loss, ...) to running links, per direction; one instance serves
 * all links of an emulation. Implementations: {@link NetemBackend} (tc netem and tbf, in the kernel) and
 * {@link UserspaceEngine} (tbf for the rate, a userspace engine for the rest).
 */
public interface LinkEmulator extends AutoCloseable {

    /** One link's wanted parameters. */
    record Change(LinkPath path, LinkParams aToB, LinkParams bToA) {
    }

    /** Backend name as shown to users: {@code netem} or {@code userspace}. */
    String name();

    /**
     * Makes each link do what its parameters say, replacing what it did before; links without parameters
     * get none. Several changes at once are batched (set-up of large topologies).
     */
    void apply(List<Change> changes);

    default void apply(LinkPath path, LinkParams aToB, LinkParams bToA) {
        apply(List.of(new Change(path, aToB, bToA)));
    }

    /** What serves a link with these parameters now: this backend, {@code tbf} for a rate alone, or {@code -}. */
    String describe(LinkPath path, LinkParams aToB, LinkParams bToA);

    /** Counters of the link's directions where the backend keeps them (the userspace engine); else empty. */
    default List<DirectionStats> stats(LinkPath path) {
        return List.of();
    }

    /**
     * What the backend holds now of the direction toward end a ({@code towardA}) or end b of the link, read
     * consistently; empty where it cannot tell (netem keeps frames in a qdisc whose contents it does not count
     * per frame, and an engine link reading without a ring would need a system call in its thread).
     */
    default Optional<LinkTransit> transit(LinkPath path, boolean towardA) {
        return Optional.empty();
    }

    @Override
    void close();
}
