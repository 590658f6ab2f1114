package net.mignet.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a criu log says about time: each line starts with the seconds since criu started, {@code (SS.uuuuuu)}. */
public final class CriuLog {
    private static final Pattern STAMP = Pattern.compile("^\\((\\d+)\\.(\\d{6})\\)");

    private CriuLog() {
    }

    /** The time of the log's last stamped line: how long criu ran, from its own start to its last word. */
    public static Optional<Duration> elapsed(Path log) {
        return elapsedAfter(log, null);
    }

    /**
     * How long criu worked after the line containing {@code marker} (e.g. {@code pre-dump scripts} for a dump that
     * waited at a gate, whose wait is not criu's work): from the next stamped line (not counting the indented lines
     * naming the scripts) to the last. The whole log when {@code marker} is null or absent.
     */
    public static Optional<Duration> elapsedAfter(Path log, String marker) {
        if (!Files.isRegularFile(log)) {
            return Optional.empty();
        }
        try {
            List<String> lines = Files.readAllLines(log, java.nio.charset.StandardCharsets.ISO_8859_1);
            Duration start = Duration.ZERO;
            int markerAt = marker == null ? -1 : indexOf(lines, marker);
            for (int i = markerAt + 1; markerAt >= 0 && i < lines.size(); i++) {
                Optional<Duration> t = stamp(lines.get(i));
                // criu names each script it runs on an indented line, stamped before the script ran.
                if (t.isPresent() && !lines.get(i).substring(lines.get(i).indexOf(')') + 1).startsWith(" \t")) {
                    start = t.get();
                    break;
                }
            }
            for (int i = lines.size() - 1; i >= 0; i--) {
                Optional<Duration> t = stamp(lines.get(i));
                if (t.isPresent()) {
                    return Optional.of(t.get().minus(start));
                }
            }
            return Optional.empty();
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }

    private static int indexOf(List<String> lines, String marker) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(marker)) {
                return i;
            }
        }
        return -1;
    }

    private static Optional<Duration> stamp(String line) {
        Matcher m = STAMP.matcher(line);
        return m.find() ? Optional.of(Duration.ofSeconds(Long.parseLong(m.group(1)))
                .plusNanos(Long.parseLong(m.group(2)) * 1000)) : Optional.empty();
    }
}
