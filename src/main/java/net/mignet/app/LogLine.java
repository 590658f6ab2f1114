package net.mignet.app;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** One line an app printed, stamped when mignet read it. */
public record LogLine(Instant time, Stream stream, String text) {
    /** RFC 3339 with nanoseconds in UTC, as container runtimes print log timestamps. */
    public static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    public enum Stream {
        STDOUT, STDERR
    }

    /** The line as {@code docker logs -t} shows it: {@code 2020-06-16T19:42:01.159265128Z Current counter: 1}. */
    public String format() {
        return TIMESTAMP.format(time) + " " + text;
    }

    /** A line of an app's log file read back; {@code stream} comes from beside it, as the file does not say. */
    static LogLine parse(String formatted, Stream stream) {
        int space = formatted.indexOf(' ');
        if (space < 0) {
            throw new IllegalArgumentException("not a log line (no time stamp): " + formatted);
        }
        return new LogLine(TIMESTAMP.parse(formatted.substring(0, space), Instant::from), stream,
                formatted.substring(space + 1));
    }

    @Override
    public String toString() {
        return format();
    }
}
