package net.mignet.app;

import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Machine-readable lines the built-in apps print on standard error beside their human output, e.g.
 * {@code @mignet event=reply seq=42 sent=1718563321159265128 replied=1718563321179265128 retries=0}. The
 * migration code and the reports read them back from the apps' logs.
 */
public final class AppEvents {
    public static final String PREFIX = "@mignet ";
    private static final Pattern PAIR = Pattern.compile("([a-z_-]+)=(\\S+)");

    private AppEvents() {
    }

    /** An event read back: its name and fields. */
    public record Event(String name, Map<String, String> fields) {
        public long longField(String key) {
            String v = fields.get(key);
            if (v == null) {
                throw new IllegalArgumentException("event " + name + " has no field " + key);
            }
            return Long.parseLong(v);
        }
    }

    /** Prints an event; {@code keyValues} alternate key and value. */
    public static void emit(PrintStream out, String name, Object... keyValues) {
        StringBuilder sb = new StringBuilder(PREFIX).append("event=").append(name);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            sb.append(' ').append(keyValues[i]).append('=').append(keyValues[i + 1]);
        }
        synchronized (out) {
            out.println(sb);
            out.flush();
        }
    }

    /** Parses a line printed by {@link #emit}, or returns null for any other line. */
    public static Event parse(String line) {
        if (!line.startsWith(PREFIX)) {
            return null;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher m = PAIR.matcher(line.substring(PREFIX.length()));
        while (m.find()) {
            fields.put(m.group(1), m.group(2));
        }
        String name = fields.remove("event");
        return name == null ? null : new Event(name, fields);
    }

    /** Nanoseconds since the epoch, the unit of event times. */
    public static long epochNanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    public static Instant instant(long epochNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L),
                Math.floorMod(epochNanos, 1_000_000_000L));
    }
}
