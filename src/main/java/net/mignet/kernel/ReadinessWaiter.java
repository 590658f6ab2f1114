package net.mignet.kernel;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static net.mignet.kernel.NativeCalls.callState;
import static net.mignet.kernel.NativeCalls.check;
import static net.mignet.kernel.NativeCalls.downcall;
import static net.mignet.kernel.NativeCalls.rethrow;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Waits in {@code poll(2)} until one of a few descriptors can be read (or was hung up), and can be woken from
 * another thread through an {@code eventfd}: a blocked {@code read(2)} cannot be interrupted, and closing a
 * descriptor another thread is reading does not wake it.
 */
public final class ReadinessWaiter implements AutoCloseable {
    private static final int EFD_CLOEXEC = 0x80000;
    private static final int EFD_NONBLOCK = 0x800;
    private static final short POLLIN = 0x1;
    private static final short POLLERR = 0x8;
    private static final short POLLHUP = 0x10;
    private static final int EINTR = 4;
    private static final int POLLFD_SIZE = 8;

    private static final MethodHandle EVENTFD = downcall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle POLL = downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));

    private final int wakeFd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment counter = arena.allocate(JAVA_LONG);
    private boolean closed;

    public ReadinessWaiter() {
        try {
            wakeFd = check((int) EVENTFD.invokeExact(callState(), 0, EFD_CLOEXEC | EFD_NONBLOCK), "eventfd");
        } catch (Throwable t) {
            arena.close();
            throw rethrow(t);
        }
    }

    /**
     * Blocks until one of {@code fds} is readable or hung up, {@link #wake()} is called, or {@code timeoutMillis}
     * passes (-1: no limit). Returns, per descriptor, whether it is ready; all false when woken or timed out.
     */
    public boolean[] await(int[] fds, int timeoutMillis) {
        boolean[] ready = new boolean[fds.length];
        try (Arena call = Arena.ofConfined()) {
            MemorySegment pollfds = call.allocate((long) POLLFD_SIZE * (fds.length + 1));
            for (int i = 0; i <= fds.length; i++) {
                pollfds.set(JAVA_INT, (long) i * POLLFD_SIZE, i < fds.length ? fds[i] : wakeFd);
                pollfds.set(JAVA_SHORT, (long) i * POLLFD_SIZE + 4, POLLIN);
            }
            int rc;
            do {
                rc = (int) POLL.invokeExact(callState(), pollfds, (long) fds.length + 1, timeoutMillis);
            } while (rc < 0 && NativeCalls.errno() == EINTR);
            check(rc, "poll");
            for (int i = 0; i < fds.length; i++) {
                short revents = pollfds.get(JAVA_SHORT, (long) i * POLLFD_SIZE + 6);
                ready[i] = (revents & (POLLIN | POLLHUP | POLLERR)) != 0;
            }
            if (pollfds.get(JAVA_SHORT, (long) fds.length * POLLFD_SIZE + 6) != 0) {
                long ignored = (long) READ.invokeExact(callState(), wakeFd, call.allocate(JAVA_LONG), 8L); // reset it
            }
            return ready;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Makes a current or the next {@link #await} return. */
    public synchronized void wake() {
        if (closed) {
            return;
        }
        try {
            counter.set(JAVA_LONG, 0, 1L);
            long ignored = (long) WRITE.invokeExact(callState(), wakeFd, counter, 8L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            NativeCalls.close(wakeFd);
            arena.close();
        }
    }
}
