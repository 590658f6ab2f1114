package net.mignet.kernel;

/** TEMPORARY: phase timings of a burst. */
public final class TimingProbe {
    public static final boolean ON = Boolean.getBoolean("mignet.timing");
    public static long commitNs;
    public static long sendNs;
    public static long applyNs;
    public static long buildNs;
    public static int commits;

    public static void reset() {
        commitNs = sendNs = applyNs = buildNs = 0;
        commits = 0;
    }

    public static String line() {
        return String.format("apply %.1f ms (build %.1f, commit %.1f [send %.1f]) in %d commits", applyNs / 1e6,
                buildNs / 1e6, commitNs / 1e6, sendNs / 1e6, commits);
    }
}
