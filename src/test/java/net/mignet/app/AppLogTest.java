package net.mignet.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppLogTest {
    @TempDir
    Path dir;

    private static final Instant T0 = Instant.parse("2026-11-30T08:00:00Z");

    private static LogLine line(int i) {
        // Every third line on stderr; some carry a carriage return as terminals print them.
        LogLine.Stream stream = i % 3 == 0 ? LogLine.Stream.STDERR : LogLine.Stream.STDOUT;
        return new LogLine(T0.plusNanos(1_000L * i + 7), stream, "line " + i + (i % 5 == 0 ? "\r" : "") + " é");
    }

    @Test
    void a_log_longer_than_memory_reads_back_whole_with_its_streams() throws Exception {
        int count = AppLog.MEMORY_LINES * 3 + 17;
        try (AppLog log = new AppLog(dir.resolve("apps/app.log"))) {
            for (int i = 0; i < count; i++) {
                log.append(line(i));
            }
            List<LogLine> all = log.lines();
            assertThat(all).hasSize(count);
            for (int i = 0; i < count; i += 997) {
                assertThat(all.get(i)).isEqualTo(line(i));
            }
            assertThat(all.getLast()).isEqualTo(line(count - 1));
            assertThat(log.lines(LogLine.Stream.STDERR)).hasSize((count + 2) / 3)
                    .allMatch(l -> l.stream() == LogLine.Stream.STDERR);
            assertThat(log.totalLines()).isEqualTo(count);
        }
        assertThat(Files.readString(dir.resolve("apps/app.log")).split("\n")[0])
                .isEqualTo("2026-11-30T08:00:00.000000007Z line 0\r é");
    }

    @Test
    void reads_since_an_instant_from_memory_and_from_disk_agree() throws Exception {
        int count = AppLog.MEMORY_LINES * 2;
        try (AppLog log = new AppLog(dir.resolve("app.log"))) {
            for (int i = 0; i < count; i++) {
                log.append(line(i));
            }
            Instant recent = line(count - 50).time();
            assertThat(log.linesSince(recent, LogLine.Stream.STDOUT))
                    .containsExactlyElementsOf(log.lines(LogLine.Stream.STDOUT).stream()
                            .filter(l -> !l.time().isBefore(recent)).toList());
            Instant old = line(10).time();
            List<LogLine> fromDisk = log.linesSince(old, LogLine.Stream.STDERR);
            assertThat(fromDisk.getFirst()).isEqualTo(line(12));
            assertThat(fromDisk).hasSize((count - 12 + 2) / 3);
        }
    }

    @Test
    void last_n_lines_beyond_memory_come_from_disk() throws Exception {
        int count = AppLog.MEMORY_LINES + 100;
        try (AppLog log = new AppLog(dir.resolve("app.log"))) {
            for (int i = 0; i < count; i++) {
                log.append(line(i));
            }
            assertThat(log.tail(3)).containsExactly(line(count - 3), line(count - 2), line(count - 1));
            List<LogLine> last = log.last(AppLog.MEMORY_LINES + 50);
            assertThat(last).hasSize(AppLog.MEMORY_LINES + 50);
            assertThat(last.getFirst()).isEqualTo(line(50));
            assertThat(log.last(count * 2)).hasSize(count);
        }
    }
}
