package net.mignet.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Frames waiting in the kernel's per-CPU receive backlogs, machine-wide ({@code /proc/net/softnet_stat}'s
 * {@code backlog_len} column, kernels from 6.1 on): a frame a veth has sent waits there until the receiving
 * side's softirq delivers it, which under load the kernel may defer to {@code ksoftirqd} for milliseconds.
 */
public final class SoftnetBacklog {
    private static final Path STAT = Path.of("/proc/net/softnet_stat");
    /** Columns: processed, dropped, time_squeeze, 6 unused, received_rps, flow_limit_count, backlog_len, cpu. */
    private static final int BACKLOG_COLUMN = 11;
    private static final int COLUMNS_WITH_BACKLOG = 13;

    private SoftnetBacklog() {
    }

    /** The frames in every CPU's backlog now; empty when this kernel does not report them. */
    public static OptionalLong frames() {
        try {
            return parse(Files.readString(STAT));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    static OptionalLong parse(String stat) {
        long total = 0;
        boolean any = false;
        for (String line : stat.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length < COLUMNS_WITH_BACKLOG) {
                return OptionalLong.empty();
            }
            total += Long.parseLong(f[BACKLOG_COLUMN], 16);
            any = true;
        }
        return any ? OptionalLong.of(total) : OptionalLong.empty();
    }
}
