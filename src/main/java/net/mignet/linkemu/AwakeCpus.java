package net.mignet.linkemu;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import net.mignet.kernel.CpuWakeLatency;

/**
 * Keeps idle CPUs from halting while frames pass through an engine thread, and lets them halt again after
 * {@link #HOLD_NANOS} without a frame; an idle emulation so costs nothing. A halted vCPU takes tens of
 * microseconds to wake (this VM: 41-69 us p50 for a pipe's reader on the other, idle vCPU, against 11-13 us on
 * the writer's own), and every frame through a link needs two wake-ups more than on a plain veth: the engine's,
 * and that of whatever it delivers to. Measured through a 0 ms link, five full bench runs each way, alternating:
 * added round trip p50 0.028-0.077 ms with, 0.047-0.069 ms without; the plain path gained as well (0 ms RTT p50
 * 0.038-0.077 ms with, 0.053-0.087 ms without), since the hosts' own processes wake faster too. Used by one loop
 * thread only (which also closes it, when it ends).
 */
final class AwakeCpus implements AutoCloseable {
    /** Longer than a second, so that traffic once a second (ping's default) keeps the request. */
    static final long HOLD_NANOS = 2_000_000_000L;
    /** Whether a thread has said that the request cannot be made: once per process, not per thread. */
    private static final AtomicBoolean REFUSAL_TOLD = new AtomicBoolean();

    private final boolean wanted;
    private final Consumer<String> log;
    private final Opener opener;
    private CpuWakeLatency request;
    private boolean unavailable;

    /** Makes the request; the kernel's device but in tests. */
    interface Opener {
        CpuWakeLatency open(int micros) throws IOException;
    }

    /**
     * What the engine's start-up line says about idle CPUs: whether they are kept awake while frames pass, and
     * why not where the machine has no cpuidle driver (a request would change nothing there).
     */
    static String startupNote(boolean wanted, Optional<String> idleDriver) {
        if (idleDriver.isEmpty()) {
            return wanted ? "; a CPU latency request is held while frames pass, though without a cpuidle driver"
                    + " idle CPUs halt anyway" : "; idle CPUs halt as they will: no cpuidle driver to keep them awake";
        }
        return wanted ? "; idle CPUs kept from halting while frames pass (cpuidle driver " + idleDriver.get()
                + "; -Dmignet.linkemu.awakeCpus=false: let them)" : "";
    }

    AwakeCpus(boolean wanted, Consumer<String> log) {
        this(wanted, log, CpuWakeLatency::request);
    }

    AwakeCpus(boolean wanted, Consumer<String> log, Opener opener) {
        this.wanted = wanted;
        this.log = log;
        this.opener = opener;
    }

    /**
     * Before a wait: holds the request if a frame came within {@link #HOLD_NANOS} of {@code now}, and ends it
     * otherwise.
     */
    void update(long lastFrameAt, long now) {
        boolean recent = now - lastFrameAt < HOLD_NANOS;
        if (recent && request == null && wanted && !unavailable) {
            try {
                request = opener.open(0);
            } catch (IOException e) {
                unavailable = true;
                if (!REFUSAL_TOLD.getAndSet(true)) {
                    log.accept("!!! link engine: cannot keep idle CPUs awake while frames pass (" + e.getMessage()
                            + "); frames through idle CPUs wait for them to wake");
                }
            }
        } else if (!recent && request != null) {
            request.close();
            request = null;
        }
    }

    /** How long a thread with nothing held may sleep: until it must end the request, or forever. */
    long idleWaitNanos(long lastFrameAt, long now) {
        return request == null ? Long.MAX_VALUE : Math.max(1, lastFrameAt + HOLD_NANOS - now);
    }

    boolean isHeld() {
        return request != null;
    }

    @Override
    public void close() {
        if (request != null) {
            request.close();
            request = null;
        }
    }
}
