package net.mignet.topo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * CPU, memory and process limits of a host or an app (enforced with cgroups; an app's nested in its host's, and
 * tighter). Each is optional.
 *
 * @param cpu    fraction of one core, e.g. 0.5 (half a core) or 2 (two cores); 0 when unlimited
 * @param memory bytes; 0 when unlimited
 * @param pids   processes and threads; 0 when unlimited
 */
public record ResourceLimits(double cpu, long memory, long pids) {
    public static final ResourceLimits NONE = new ResourceLimits(0, 0, 0);
    /** The keys of {@link #parse(List)}, in the topology file and the {@code limit} verb alike. */
    public static final List<String> KEYS = List.of("cpu", "memory", "pids");
    /** The kernel refuses a CFS quota below 1 ms per 100 ms period. */
    private static final double MIN_CPU = 0.01;
    /** Below this a process cannot even start. */
    private static final long MIN_MEMORY = 4L << 20;

    public ResourceLimits {
        if (cpu != 0 && !(cpu >= MIN_CPU && cpu <= 1024)) {
            throw new IllegalArgumentException("cpu=" + cpu + " must be a fraction of a core between " + MIN_CPU
                    + " and the machine's cores, e.g. cpu=0.5 (half a core)");
        }
        if (memory != 0 && memory < MIN_MEMORY) {
            throw new IllegalArgumentException("memory=" + memory + " bytes is below 4m; write e.g. memory=256m");
        }
        if (pids < 0) {
            throw new IllegalArgumentException("pids=" + pids + " must be a positive number of processes, e.g. 100");
        }
    }

    public boolean isEmpty() {
        return cpu == 0 && memory == 0 && pids == 0;
    }

    /** These limits with the ones given in {@code changes} replaced (a value of 0 there means "keep mine"). */
    public ResourceLimits with(ResourceLimits changes) {
        return new ResourceLimits(changes.cpu != 0 ? changes.cpu : cpu, changes.memory != 0 ? changes.memory : memory,
                changes.pids != 0 ? changes.pids : pids);
    }

    /**
     * These limits held within {@code outer}'s (an app's within its host's): each is the tighter of the two, an
     * unset one is {@code outer}'s.
     */
    public ResourceLimits within(ResourceLimits outer) {
        return new ResourceLimits(cpu == 0 ? outer.cpu : outer.cpu == 0 ? cpu : Math.min(cpu, outer.cpu),
                tighter(memory, outer.memory), tighter(pids, outer.pids));
    }

    private static long tighter(long mine, long outer) {
        return mine == 0 ? outer : outer == 0 ? mine : Math.min(mine, outer);
    }

    /** The limits of mine that {@code outer} does not allow, e.g. {@code cpu=1 (above cpu=0.5)}; empty when none. */
    public List<String> above(ResourceLimits outer) {
        List<String> found = new ArrayList<>();
        if (outer.cpu != 0 && cpu > outer.cpu) {
            found.add("cpu=" + number(cpu) + " (above cpu=" + number(outer.cpu) + ")");
        }
        if (outer.memory != 0 && memory > outer.memory) {
            found.add("memory=" + formatBytes(memory) + " (above memory=" + formatBytes(outer.memory) + ")");
        }
        if (outer.pids != 0 && pids > outer.pids) {
            found.add("pids=" + pids + " (above pids=" + outer.pids + ")");
        }
        return found;
    }

    /**
     * Refuses limits of mine looser than {@code outer}'s: an app's limits are tighter than its host's. {@code what}
     * names me ("app web"), {@code outerName} the host ("h1").
     */
    public void requireWithin(ResourceLimits outer, String what, String outerName) {
        List<String> over = above(outer);
        if (!over.isEmpty()) {
            throw new IllegalArgumentException(what + " may not have more than its host " + outerName + " ("
                    + outer + "): " + String.join(", ", over) + "; give it less, or raise the host's limit first"
                    + " (limit " + outerName + " " + String.join(" ", over.stream().map(o -> o.substring(0,
                            o.indexOf(' '))).toList()) + ")");
        }
    }

    public OptionalDouble cpuLimit() {
        return cpu == 0 ? OptionalDouble.empty() : OptionalDouble.of(cpu);
    }

    public OptionalLong memoryLimit() {
        return memory == 0 ? OptionalLong.empty() : OptionalLong.of(memory);
    }

    public OptionalLong pidsLimit() {
        return pids == 0 ? OptionalLong.empty() : OptionalLong.of(pids);
    }

    /** Parses {@code key=value} words: {@code cpu=0.5 memory=256m pids=100}. */
    public static ResourceLimits parse(List<String> words) {
        double cpu = 0;
        long memory = 0;
        long pids = 0;
        if (words.isEmpty()) {
            throw new IllegalArgumentException("no limit given; write e.g. cpu=0.5 memory=256m pids=100");
        }
        for (String word : words) {
            int eq = word.indexOf('=');
            String key = eq < 0 ? word : word.substring(0, eq);
            String value = eq < 0 ? "" : word.substring(eq + 1);
            switch (key) {
                case "cpu" -> cpu = parseCpu(value);
                case "memory" -> memory = parseBytes(value);
                case "pids" -> pids = parseCount(value);
                default -> throw new IllegalArgumentException("unknown limit '" + word + "'; the limits are "
                        + String.join(", ", KEYS) + ", e.g. cpu=0.5 memory=256m pids=100");
            }
        }
        return new ResourceLimits(cpu, memory, pids);
    }

    /** A fraction of a core: {@code 0.5}, {@code 2}, or a percentage of one core, {@code 50%}. */
    public static double parseCpu(String text) {
        String t = text.strip();
        try {
            double v = t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1)) / 100
                    : Double.parseDouble(t);
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cpu '" + text + "' must be a fraction of a core, e.g. 0.5 or 50%");
        }
    }

    /** Bytes with an optional binary suffix: {@code 268435456}, {@code 256m}, {@code 1g}, {@code 512k}, {@code 256MiB}. */
    public static long parseBytes(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT).replaceFirst("i?b$", "");
        long unit = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'k' -> unit = 1L << 10;
                case 'm' -> unit = 1L << 20;
                case 'g' -> unit = 1L << 30;
                case 't' -> unit = 1L << 40;
                default -> unit = 1;
            }
        }
        String number = unit == 1 ? t : t.substring(0, t.length() - 1);
        try {
            double v = Double.parseDouble(number);
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new NumberFormatException();
            }
            return (long) (v * unit);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("memory '" + text + "' must be a size, e.g. 256m, 1g or 65536k");
        }
    }

    private static long parseCount(String text) {
        try {
            long v = Long.parseLong(text.strip());
            if (v <= 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("pids '" + text + "' must be a positive whole number, e.g. 100");
        }
    }

    /** {@code cpu=0.5 memory=256m}, only the limits that are set; {@code none} when none is. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        cpuLimit().ifPresent(c -> parts.add("cpu=" + number(c)));
        memoryLimit().ifPresent(m -> parts.add("memory=" + formatBytes(m)));
        pidsLimit().ifPresent(p -> parts.add("pids=" + p));
        return parts.isEmpty() ? "none" : String.join(" ", parts);
    }

    private static String number(double cores) {
        return cores == Math.rint(cores) ? Long.toString((long) cores) : Double.toString(cores);
    }

    public static String formatBytes(long bytes) {
        if (bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "g";
        }
        if (bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "m";
        }
        if (bytes % (1L << 10) == 0) {
            return (bytes >> 10) + "k";
        }
        return Long.toString(bytes);
    }
}
