package net.mignet.report;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How times and lengths are written in the results files: RFC 3339 UTC with nanoseconds, and milliseconds. */
final class Times {
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'")
            .withZone(java.time.ZoneOffset.UTC);

    private Times() {
    }

    static String instant(Instant t) {
        return t == null ? "" : RFC3339.format(t);
    }

    static Instant parseInstant(String text) {
        return text == null || text.isEmpty() ? null : Instant.parse(text);
    }

    /** Milliseconds with microsecond precision, or empty for an unknown length. */
    static String ms(Duration d) {
        return d == null ? "" : String.format(Locale.ROOT, "%.3f", d.toNanos() / 1e6);
    }

    /** Seconds from {@code origin} to {@code t}, as the report's plots count time. */
    static double secondsSince(Instant origin, Instant t) {
        return Duration.between(origin, t).toNanos() / 1e9;
    }
}
