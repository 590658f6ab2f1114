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
        if (!Files.isRegularFile(log)) {
            return Optional.empty();
        }
        try {
            List<String> lines = Files.readAllLines(log, java.nio.charset.StandardCharsets.ISO_8859_1);
            for (int i = lines.size() - 1; i >= 0; i--) {
                Matcher m = STAMP.matcher(lines.get(i));
                if (m.find()) {
                    return Optional.of(Duration.ofSeconds(Long.parseLong(m.group(1)))
                            .plusNanos(Long.parseLong(m.group(2)) * 1000));
                }
            }
            return Optional.empty();
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }
}
