package net.mignet.topo;

import java.time.Duration;

/**
 * A timeline step and when it starts: at a time since the timeline (or the round of a {@code repeat}) began,
 * a time after the previous step ended, or as soon as the previous step ended.
 *
 * @param line the step's line in the topology file, for messages about it
 */
public record TimedStep(Start start, TimelineStep step, int line) {
    public sealed interface Start {
        /** {@code at: 10s}. */
        record At(Duration sinceBegin) implements Start {
        }

        /** {@code after: 2s}. */
        record After(Duration sincePrevious) implements Start {
        }

        /** Neither given. */
        record Next() implements Start {
        }
    }

    @Override
    public String toString() {
        String when = switch (start) {
            case Start.At a -> "at " + a.sinceBegin().toMillis() + " ms: ";
            case Start.After a -> a.sincePrevious().toMillis() + " ms later: ";
            case Start.Next _ -> "";
        };
        return "line " + line + ": " + when + step;
    }
}
