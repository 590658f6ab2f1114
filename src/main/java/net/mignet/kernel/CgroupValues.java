package net.mignet.kernel;

/**
 * The text of the cgroup control files mignet writes and reads back, in both versions: v2 writes "no limit" as
 * {@code max} ({@code cpu.max}: {@code QUOTA PERIOD} in microseconds, {@code memory.max}, {@code pids.max}), v1 as
 * {@code -1} (CFS quota) or a huge page-aligned number (memory); counters come as {@code key value} lines
 * ({@code memory.events}, {@code cpu.stat}, v1 {@code memory.oom_control}). Unlimited is 0 here, as in
 * {@link net.mignet.topo.ResourceLimits}.
 */
public final class CgroupValues {
    /** The CFS period mignet sets: 100 ms, the kernel's default. */
    public static final long CFS_PERIOD_US = 100_000;
    /**
     * v1 reports an unset memory limit as the largest page count in bytes (9223372036854771712 with 4 KiB
     * pages); anything from 2^62 on is no limit a machine could have.
     */
    private static final long V1_UNLIMITED_FROM = 1L << 62;

    private CgroupValues() {
    }

    /** The CFS quota in microseconds per {@link #CFS_PERIOD_US} for {@code cores} (0: none, -1). */
    public static long quotaMicros(double cores) {
        return cores == 0 ? -1 : Math.round(cores * CFS_PERIOD_US);
    }

    /** {@code cpu.max} for {@code cores}: {@code max 100000} or e.g. {@code 50000 100000}. */
    public static String cpuMax(double cores) {
        return (cores == 0 ? "max" : Long.toString(quotaMicros(cores))) + " " + CFS_PERIOD_US;
    }

    /** Cores allowed by a {@code cpu.max} text ({@code 50000 100000}: 0.5; {@code max 100000}: 0). */
    public static double parseCpuMax(String text) {
        String[] w = text.trim().split("\\s+");
        if (w.length != 2) {
            throw new IllegalArgumentException("cpu.max '" + text.trim() + "' is not 'QUOTA PERIOD'");
        }
        return w[0].equals("max") ? 0 : cores(Long.parseLong(w[0]), Long.parseLong(w[1]));
    }

    /** Cores allowed by v1's {@code cpu.cfs_quota_us} and {@code cpu.cfs_period_us} (quota -1: 0, none). */
    public static double parseCfs(String quota, String period) {
        long q = Long.parseLong(quota.trim());
        return q < 0 ? 0 : cores(q, Long.parseLong(period.trim()));
    }

    private static double cores(long quota, long period) {
        // Rounded to what a limit can be written as (0.01 core), so a value reads back as it was given.
        return Math.round(quota * 100.0 / period) / 100.0;
    }

    /** {@code memory.max} / {@code pids.max} for a value (0: {@code max}). */
    public static String max(long value) {
        return value == 0 ? "max" : Long.toString(value);
    }

    /** A {@code memory.max} / {@code pids.max} text as a value ({@code max}: 0). */
    public static long parseMax(String text) {
        String t = text.trim();
        return t.equals("max") ? 0 : Long.parseLong(t);
    }

    /** v1 {@code memory.limit_in_bytes} as a value (no limit: 0). */
    public static long parseV1Bytes(String text) {
        long v = Long.parseLong(text.trim());
        return v >= V1_UNLIMITED_FROM ? 0 : v;
    }

    /**
     * The value of {@code key} in a file of {@code key value} lines, e.g. {@code oom_kill} of {@code memory.events}
     * or {@code usage_usec} of {@code cpu.stat}; 0 when absent (an older kernel's file, or none at all).
     */
    public static long keyed(String text, String key) {
        for (String line : text.lines().toList()) {
            String[] w = line.trim().split("\\s+");
            if (w.length == 2 && w[0].equals(key)) {
                try {
                    return Long.parseLong(w[1]);
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }
}
