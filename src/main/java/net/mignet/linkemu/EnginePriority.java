package net.mignet.linkemu;

import java.util.Locale;

/** How the engine threads are scheduled; {@code -Dmignet.linkemu.realtime=false|sparse|true}. */
public enum EnginePriority {
    /** The ordinary class at nice -10, always: the default. */
    NICE("false"),
    /**
     * {@code SCHED_FIFO} (priority 1) while a thread's traffic is sparse, so that a frame's wake-up takes the CPU
     * at once; the ordinary class at nice -10 from a flood on, so that the hosts making and taking the flood keep
     * their share ({@link RealtimeClass}). Not the default: in three full bench runs alternating with
     * {@link #NICE}, added RTT through a 0 ms link was 0.027, 0.057, 0.108 ms at p50 against 0.042, 0.045, 0.064,
     * but the RTT error through a 100 ms link rose to 0.065-0.106 ms at p50 from 0.035-0.054.
     */
    REALTIME_WHILE_SPARSE("sparse"),
    /**
     * {@code SCHED_FIFO} always: ahead of every ordinary process on a busy machine, as netem runs in softirq, but
     * a thread forwarding a flood then holds its core against the hosts (but for the kernel's 5 % real-time
     * throttling); one core is left without an engine thread.
     */
    REALTIME("true");

    private final String word;

    EnginePriority(String word) {
        this.word = word;
    }

    /** The property's word for this mode. */
    public String word() {
        return word;
    }

    /** The mode a value of {@code mignet.linkemu.realtime} names. */
    public static EnginePriority fromWord(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        for (EnginePriority p : values()) {
            if (p.word.equals(v)) {
                return p;
            }
        }
        throw new IllegalArgumentException("mignet.linkemu.realtime is false, sparse or true, not '" + value + "'");
    }
}
