package net.mignet.kernel;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * What every libc binding of mignet shares, through the FFM API: downcalls that capture errno, a per-thread
 * buffer for it (so per-frame calls allocate nothing), error texts, and the calls several packages need.
 * Each downcall made by {@link #downcall} takes {@link #callState()} as its first argument.
 */
public final class NativeCalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = downcall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle IF_NAMETOINDEX = downcall("if_nametoindex",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LINKER.defaultLookup().find("strerror").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private NativeCalls() {
    }

    /** A handle on libc's {@code name} that records errno into {@link #callState()}, its first argument. */
    public static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"));
    }

    /**
     * A handle on libc's {@code syscall(2)} for a system call libc may not wrap: {@code descriptor} starts with the
     * call's number (a {@code long}); the arguments after it are variadic. Records errno as {@link #downcall} does.
     */
    public static MethodHandle syscall(FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find("syscall").orElseThrow(), descriptor,
                Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
    }

    /** This thread's buffer for the errno of its calls. */
    public static MemorySegment callState() {
        return STATE.get();
    }

    /** The errno of the last call on this thread. */
    public static int errno() {
        return (int) ERRNO.get(STATE.get(), 0L);
    }

    /** {@code rc} when it is not negative; else a {@link NativeException} for this thread's errno. */
    public static int check(int rc, String what) {
        if (rc < 0) {
            throw failure(what);
        }
        return rc;
    }

    public static long check(long rc, String what) {
        if (rc < 0) {
            throw failure(what);
        }
        return rc;
    }

    private static NativeException failure(String what) {
        int errno = errno();
        return new NativeException(what, errno, strerror(errno));
    }

    public static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** What a downcall's {@code Throwable} becomes: runtime exceptions and errors as they are. */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    public static void close(int fd) {
        try {
            check((int) CLOSE.invokeExact(STATE.get(), fd), "close");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** setsockopt(2) with an {@code int} value; {@code what} names the option in the error. */
    public static void setIntOption(int fd, int level, int option, int value, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(JAVA_INT, value);
            check((int) SETSOCKOPT.invokeExact(STATE.get(), fd, level, option, v, 4), what);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Sets a socket's receive timeout ({@code SO_RCVTIMEO}): a blocked recv then fails with {@code EAGAIN} after
     * {@code timeout}, so its reader can look up now and then, or give up, without a second thread to watch it.
     */
    public static void setReceiveTimeout(int fd, java.time.Duration timeout) {
        long micros = timeout.toNanos() / 1000;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment timeval = arena.allocate(16);
            timeval.set(JAVA_LONG, 0, micros / 1_000_000);
            timeval.set(JAVA_LONG, 8, micros % 1_000_000);
            check((int) SETSOCKOPT.invokeExact(STATE.get(), fd, 1, 20, timeval, 16), "SO_RCVTIMEO"); // SOL_SOCKET
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** getsockopt(2) of an {@code int} option. */
    public static int intOption(int fd, int level, int option, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            MemorySegment length = arena.allocateFrom(JAVA_INT, 4);
            check((int) GETSOCKOPT.invokeExact(STATE.get(), fd, level, option, v, length), what);
            return v.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The interface index in the calling thread's network namespace, or 0 when there is none of that name. */
    public static int ifNameToIndex(String name) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) IF_NAMETOINDEX.invokeExact(STATE.get(), arena.allocateFrom(name));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A failed system call, with its errno. */
    public static final class NativeException extends IllegalStateException {
        private final int errno;

        public NativeException(String call, int errno, String message) {
            super(call + ": " + message + " (errno " + errno + ")");
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }
}
