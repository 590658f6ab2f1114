package net.mignet.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * CPU time and resident memory of one process, from {@code /proc/PID/stat} and {@code statm} (its own, not its
 * children's).
 *
 * @param cpuNanos user and system time
 * @param rssBytes resident set size
 */
public record ProcessUsage(long cpuNanos, long rssBytes) {
    /** Linux reports times in clock ticks of 1/100 s on every architecture mignet runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;
    private static final long PAGE = 4096;

    public static Optional<ProcessUsage> of(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
            String[] statm = Files.readString(Path.of("/proc", Long.toString(pid), "statm")).trim().split(" ");
            return Optional.of(new ProcessUsage(ticks * NANOS_PER_TICK, Long.parseLong(statm[1]) * PAGE));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // it has ended
        }
    }
}
