package net.mignet.topo;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One step of an experiment's {@code timeline:}: what to do. When to do it is the {@link TimedStep}'s.
 * Steps name apps, hosts and links of the same topology file; the loader checks that they exist.
 */
public sealed interface TimelineStep {
    /** Starts an app of the file's {@code apps:} section (an app a step deploys is not started with the network). */
    record Deploy(String app) implements TimelineStep {
        @Override
        public String toString() {
            return "deploy " + app;
        }
    }

    /**
     * Migrates {@code app} to {@code host}.
     *
     * @param strategy a strategy name, or {@code auto}
     * @param options  further options as the shell's {@code migrate} takes them, without the dashes
     *                 ({@code rounds -> 3}, {@code lazy -> true}, recipe keys)
     */
    record Migrate(String app, String host, String strategy, Map<String, String> options) implements TimelineStep {
        public Migrate {
            options = Map.copyOf(options);
        }

        @Override
        public String toString() {
            return "migrate " + app + " to " + host + " (" + strategy + ")";
        }
    }

    /** Changes the parameters of the link between two nodes, as the shell's {@code link a b set key=value...}. */
    record LinkSet(String node1, String node2, Map<String, String> settings) implements TimelineStep {
        public LinkSet {
            settings = Map.copyOf(settings);
        }

        @Override
        public String toString() {
            return "link " + node1 + " " + node2 + " set " + settings;
        }
    }

    /** Cuts ({@code up == false}) or restores the link between two nodes. */
    record LinkState(String node1, String node2, boolean up) implements TimelineStep {
        @Override
        public String toString() {
            return (up ? "restore " : "cut ") + node1 + " " + node2;
        }
    }

    /** Stops an app (SIGTERM, then SIGKILL after a grace period). */
    record Stop(String app) implements TimelineStep {
        @Override
        public String toString() {
            return "stop " + app;
        }
    }

    /** Waits a fixed time. */
    record Pause(Duration duration) implements TimelineStep {
        @Override
        public String toString() {
            return "wait " + duration.toMillis() + " ms";
        }
    }

    /** Waits until {@code condition} holds for {@code app} (a log line, a bound port, its exit), at most {@code timeout}. */
    record AwaitApp(String app, MigrationRecipe.Condition condition, Duration timeout) implements TimelineStep {
        @Override
        public String toString() {
            return "wait for " + app + " " + condition;
        }
    }

    /** Runs {@code steps} {@code times} times; their {@code at:} times count from each round's start. */
    record Repeat(int times, List<TimedStep> steps) implements TimelineStep {
        public Repeat {
            steps = List.copyOf(steps);
        }

        @Override
        public String toString() {
            return "repeat " + times + " times (" + steps.size() + " steps)";
        }
    }

    /** A fault of a host: {@code crash}, {@code restart}, {@code freeze} or {@code thaw}. */
    record HostFault(String kind, String host) implements TimelineStep {
        public static final java.util.List<String> KINDS = java.util.List.of("crash", "restart", "freeze", "thaw");

        public HostFault {
            if (!KINDS.contains(kind)) {
                throw new IllegalArgumentException("not a host fault: " + kind);
            }
        }

        @Override
        public String toString() {
            return kind + " " + host;
        }
    }

    /** {@code count} down/up cycles of {@code period} of the links between two nodes, in the background. */
    record Flap(String node1, String node2, Duration period, int count) implements TimelineStep {
        @Override
        public String toString() {
            return "flap " + node1 + " " + node2 + " " + period.toMillis() + " ms x " + count;
        }
    }
}
