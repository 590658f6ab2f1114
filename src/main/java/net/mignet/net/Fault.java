package net.mignet.net;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import net.mignet.topo.LinkParams;

/**
 * A fault as a value, e.g. for a step of a timeline: {@code Fault.parse(List.of("crash", "h2")).apply(net.faults())}.
 * The words are the shell's: {@code crash H}, {@code restart H}, {@code freeze H}, {@code thaw H},
 * {@code link A B down|up}, {@code flap A B PERIOD COUNT}, {@code flap A B cancel}.
 */
public sealed interface Fault {
    String USAGE = "crash <host> | restart <host> | freeze <host> | thaw <host> | link <a> <b> down|up"
            + " | flap <a> <b> <period> <count> | flap <a> <b> cancel";

    /** Makes it happen; returns one line saying what happened. Flap reports its end to {@code flapDone}. */
    String apply(Faults faults, Consumer<LinkFlap.Report> flapDone);

    default String apply(Faults faults) {
        return apply(faults, report -> { });
    }

    record Crash(String host) implements Fault {
        @Override
        public String apply(Faults faults, Consumer<LinkFlap.Report> flapDone) {
            return faults.crash(host).describe();
        }
    }

    record Restart(String host) implements Fault {
        @Override
        public String apply(Faults faults, Consumer<LinkFlap.Report> flapDone) {
            return faults.restart(host).describe();
        }
    }

    record Freeze(String host) implements Fault {
        @Override
        public String apply(Faults faults, Consumer<LinkFlap.Report> flapDone) {
            return faults.freeze(host).describe();
        }
    }

    record Thaw(String host) implements Fault {
        @Override
        public String apply(Faults faults, Consumer<LinkFlap.Report> flapDone) {
            return faults.thaw(host).describe();
        }
    }

    record LinkState(String a, String b, boolean up) implements Fault {
        @Override
        public String apply(Faults faults, Consumer<LinkFlap.Report> flapDone) {
            int n = faults.setLinks(a, b, up).size();
            return "link " + a + " <-> " + b + (n == 1 ? "" : " (" + n + " links)") + (up ? " up" : " down");
        }
    }

    /** {@code count} cycles of {@code period}, each half down, half up, in the background. */
    record Flap(String a, String b, Duration period, int count) implements Fault {
        @Override
        public String apply(Faults faults, Consumer<LinkFlap.Report> flapDone) {
            faults.flap(a, b, period, count, flapDone);
            return "flapping " + a + " <-> " + b + ": " + count + " cycles of " + period.toMillis() + " ms (half down,"
                    + " half up), in the background; 'flap " + a + " " + b + " cancel' stops it";
        }
    }

    record CancelFlap(String a, String b) implements Fault {
        @Override
        public String apply(Faults faults, Consumer<LinkFlap.Report> flapDone) {
            int n = faults.cancelFlaps(a, b).size();
            if (n == 0) {
                throw new IllegalStateException("no flap of " + a + " <-> " + b + " is running");
            }
            return "cancelling the flap of " + a + " <-> " + b + "; its links end up";
        }
    }

    /** Parses the shell's words, e.g. {@code [flap, h1, s1, 2s, 5]}; errors name the usage. */
    static Fault parse(List<String> words) {
        if (words.isEmpty()) {
            throw new IllegalArgumentException("no fault given; write " + USAGE);
        }
        List<String> args = words.subList(1, words.size());
        return switch (words.getFirst()) {
            case "crash" -> new Crash(one(args, "crash <host>"));
            case "restart" -> new Restart(one(args, "restart <host>"));
            case "freeze" -> new Freeze(one(args, "freeze <host>"));
            case "thaw" -> new Thaw(one(args, "thaw <host>"));
            case "link" -> {
                exactly(args, 3, "link <a> <b> down|up");
                yield switch (args.get(2)) {
                    case "up" -> new LinkState(args.get(0), args.get(1), true);
                    case "down" -> new LinkState(args.get(0), args.get(1), false);
                    default -> throw new IllegalArgumentException("'" + args.get(2) + "': write up or down");
                };
            }
            case "flap" -> flap(args);
            default -> throw new IllegalArgumentException("unknown fault '" + words.getFirst() + "'; write " + USAGE);
        };
    }

    private static Fault flap(List<String> args) {
        String usage = "flap <a> <b> <period> <count>, e.g. flap h1 s1 2s 5; or flap <a> <b> cancel";
        if (args.size() == 3 && args.get(2).equals("cancel")) {
            return new CancelFlap(args.get(0), args.get(1));
        }
        exactly(args, 4, usage);
        Duration period = LinkParams.parseDuration(args.get(2));
        int count;
        try {
            count = Integer.parseInt(args.get(3));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("flap count '" + args.get(3) + "' is not a whole number; usage: "
                    + usage);
        }
        if (count < 1 || count > 1_000_000) {
            throw new IllegalArgumentException("flap count must be 1 to 1000000, not " + count);
        }
        if (period.toMillis() < 2 || period.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("flap period must be 2ms to 1 day, not " + args.get(2));
        }
        return new Flap(args.get(0), args.get(1), period, count);
    }

    private static String one(List<String> args, String usage) {
        exactly(args, 1, usage);
        return args.getFirst();
    }

    private static void exactly(List<String> args, int n, String usage) {
        if (args.size() != n) {
            throw new IllegalArgumentException("usage: " + usage);
        }
    }
}
