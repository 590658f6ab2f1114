package net.mignet.linkemu;

import net.mignet.kernel.CpuWakeLatency;
import net.mignet.topo.BooleanWord;

/**
 * How the userspace link engine runs: how many threads share the impaired links, whether frames are read
 * through receive rings, how big the rings are, and how long a thread polls without sleeping. Defaults come
 * from the core count and can be overridden with system properties ({@code -Dmignet.linkemu.threads=2}, ...).
 *
 * @param threads     engine threads at most; links are spread over them as they are added, each link (both
 *                    directions) on one thread, so each direction keeps its order
 * @param ringSlots   slots of each socket's receive ring ({@link RxRing}); 0 reads one frame per recvmsg
 * @param spinNanos   a thread with frames held sleeps until this long before the next is due and polls from
 *                    there: on a VM a timed sleep ends late, by up to 0.2 ms after one of 100 ms (the vCPU
 *                    halted; seen: lateness p50 80-190 us with no margin, 7-9 us with 0.3 ms). The starting
 *                    window: it then follows how late the thread's sleeps end ({@link SpinWindow}), within a
 *                    sixth and twice this; 0 never polls before a release
 * @param busyPollNanos after its last frame a thread keeps polling this long before it sleeps, so frames that
 *                    follow closely (a reply, the next of a stream) find it awake
 * @param spinPercent share of each thread's time it may spend polling without finding work ({@link SpinBudget}),
 *                    0-100; beyond it the thread sleeps until its next frame or release and is a little late
 * @param priority    how the threads are scheduled ({@link EnginePriority}): by default at nice -10; real-time
 *                    while their traffic is sparse, or always, on request
 * @param awakeCpus   keep idle CPUs from halting while frames pass through a thread ({@link AwakeCpus}): they
 *                    poll instead, which a VM's host sees as busy vCPUs and real hardware as power; by default
 *                    only where a cpuidle driver can do it
 * @param kernelPath  a link direction whose parameters hold nothing (loss at most) goes through the kernel
 *                    ({@link KernelPath}) instead of a thread, where eBPF allows; off, every frame of an engine
 *                    link goes through its thread (for measuring the engine itself)
 */
public record EngineSettings(int threads, int ringSlots, long spinNanos, long busyPollNanos, int spinPercent,
        EnginePriority priority, boolean awakeCpus, boolean kernelPath) {
    /** 1 024 slots of 2 KiB (2 MiB) per socket: a millisecond of 64-byte frames at a million frames/s. */
    public static final int DEFAULT_RING_SLOTS = 1024;
    public static final long DEFAULT_SPIN_NANOS = 300_000;
    public static final long DEFAULT_BUSY_POLL_NANOS = 50_000;
    /**
     * No cap: on a quiet machine polling through a flood forwards more and on time. On a machine busier than its
     * cores a cap (e.g. 25) leaves more to the hosts: measured at load 8-12 on 2 cores, 64-byte UDP rose from
     * 0.36-0.39 to 0.42-0.50 of the plain path, but a TCP flow's frames left 0.2-0.8 ms late instead of 0.1-0.4.
     */
    public static final int DEFAULT_SPIN_PERCENT = 100;

    public EngineSettings {
        if (threads < 1) {
            throw new IllegalArgumentException("the link engine needs at least one thread (asked for " + threads
                    + ")");
        }
        if (ringSlots < 0 || spinNanos < 0 || busyPollNanos < 0) {
            throw new IllegalArgumentException("link engine ring slots and poll times cannot be negative");
        }
        java.util.Objects.requireNonNull(priority, "priority");
        if (spinPercent < 0 || spinPercent > 100) {
            throw new IllegalArgumentException("the link engine's spin share is a percentage, 0-100 (asked for "
                    + spinPercent + ")");
        }
    }

    /**
     * One thread per core; rings; the default poll windows; idle CPUs kept awake while frames pass where a
     * cpuidle driver can do that ({@link CpuWakeLatency#idleDriver}).
     */
    public static EngineSettings automatic() {
        return new EngineSettings(Runtime.getRuntime().availableProcessors(), DEFAULT_RING_SLOTS,
                DEFAULT_SPIN_NANOS, DEFAULT_BUSY_POLL_NANOS, DEFAULT_SPIN_PERCENT, EnginePriority.NICE,
                CpuWakeLatency.idleDriver().isPresent(), true);
    }

    /**
     * {@link #automatic()} with what the system properties {@code mignet.linkemu.threads},
     * {@code mignet.linkemu.ringSlots} (0: no rings), {@code mignet.linkemu.spinNanos} and
     * {@code mignet.linkemu.busyPollNanos}, {@code mignet.linkemu.spinPercent} and
     * {@code mignet.linkemu.realtime} ({@code false}, {@code sparse} or {@code true}: {@link EnginePriority}) and
     * {@code mignet.linkemu.awakeCpus} and {@code mignet.linkemu.kernelPath} say instead; with threads real-time
     * all the time, one core fewer unless the thread count is given.
     */
    public static EngineSettings fromSystemProperties() {
        EngineSettings a = automatic();
        EnginePriority priority = EnginePriority.fromWord(System.getProperty("mignet.linkemu.realtime",
                a.priority.word()));
        return new EngineSettings(Integer.getInteger("mignet.linkemu.threads", threadsFor(priority, a.threads)),
                Integer.getInteger("mignet.linkemu.ringSlots", a.ringSlots),
                Long.getLong("mignet.linkemu.spinNanos", a.spinNanos),
                Long.getLong("mignet.linkemu.busyPollNanos", a.busyPollNanos),
                Integer.getInteger("mignet.linkemu.spinPercent", a.spinPercent), priority,
                onOff("mignet.linkemu.awakeCpus", a.awakeCpus), onOff("mignet.linkemu.kernelPath", a.kernelPath));
    }

    /**
     * Threads for {@code cores} cores: one each, but one core left without when they are always real-time, since
     * real-time threads forwarding floods on every core starve the hosts that make the traffic (seen: two floods
     * on two SCHED_FIFO threads on 2 cores fell to 0.09 of the plain path).
     */
    static int threadsFor(EnginePriority priority, int cores) {
        return priority == EnginePriority.REALTIME ? Math.max(1, cores - 1) : cores;
    }

    /** A boolean property, strictly: a typo must not turn a setting off unnoticed. */
    private static boolean onOff(String property, boolean otherwise) {
        String v = System.getProperty(property);
        if (v == null) {
            return otherwise;
        }
        try {
            return BooleanWord.parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + ": " + e.getMessage(), e);
        }
    }

    public EngineSettings withThreads(int n) {
        return new EngineSettings(n, ringSlots, spinNanos, busyPollNanos, spinPercent, priority, awakeCpus, kernelPath);
    }

    public EngineSettings withRingSlots(int n) {
        return new EngineSettings(threads, n, spinNanos, busyPollNanos, spinPercent, priority, awakeCpus, kernelPath);
    }

    public EngineSettings withSpinPercent(int percent) {
        return new EngineSettings(threads, ringSlots, spinNanos, busyPollNanos, percent,
                priority, awakeCpus, kernelPath);
    }

    public EngineSettings withAwakeCpus(boolean on) {
        return new EngineSettings(threads, ringSlots, spinNanos, busyPollNanos, spinPercent, priority, on, kernelPath);
    }

    public EngineSettings withKernelPath(boolean on) {
        return new EngineSettings(threads, ringSlots, spinNanos, busyPollNanos, spinPercent, priority, awakeCpus, on);
    }

    public EngineSettings withPriority(EnginePriority p) {
        return new EngineSettings(threads, ringSlots, spinNanos, busyPollNanos, spinPercent, p, awakeCpus, kernelPath);
    }
}
