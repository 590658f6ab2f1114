package net.mignet.linkemu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static net.mignet.kernel.NativeCalls.callState;
import static net.mignet.kernel.NativeCalls.downcall;
import static net.mignet.kernel.NativeCalls.errno;
import static net.mignet.kernel.NativeCalls.rethrow;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The libc calls of the engine's batched frame I/O: {@code mmap} of a {@code PACKET_MMAP} receive ring,
 * {@code sendmmsg} for sending a batch in one call, and {@code getsockopt} for a ring's drop counter. Like
 * {@link Native}, the per-batch calls return {@code -errno} instead of throwing and allocate nothing.
 */
final class RingCalls {
    static final int PACKET_RX_RING = 5;
    static final int PACKET_STATISTICS = 6;
    static final int PACKET_COPY_THRESH = 7;
    static final int PACKET_VERSION = 10;
    static final int TPACKET_V2 = 1;
    static final int PROT_READ_WRITE = 0x1 | 0x2;
    static final int MAP_SHARED = 0x01;
    static final int MAP_POPULATE = 0x8000;

    private static final MethodHandle MMAP = downcall("mmap", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = downcall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS,
            JAVA_LONG));
    private static final MethodHandle SENDMMSG = downcall("sendmmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
            ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = downcall("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = downcall("getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    private RingCalls() {
    }

    /** Maps {@code length} bytes of {@code fd}'s ring shared; returns -errno as the address on failure. */
    static MemorySegment mmap(int fd, long length) {
        try {
            MemorySegment address = (MemorySegment) MMAP.invokeExact(callState(), MemorySegment.NULL, length,
                    PROT_READ_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0L);
            if (address.address() == -1L) {
                return MemorySegment.ofAddress(-errno());
            }
            return address.reinterpret(length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void munmap(MemorySegment mapping) {
        try {
            int ignored = (int) MUNMAP.invokeExact(callState(), mapping, mapping.byteSize());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** setsockopt(2) with a struct; returns 0 or -errno. */
    static int setOption(int fd, int level, int option, MemorySegment value) {
        try {
            int rc = (int) SETSOCKOPT.invokeExact(callState(), fd, level, option, value, (int) value.byteSize());
            return rc < 0 ? -errno() : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** getsockopt(2) into {@code value}, whose size goes in {@code length} (an int); returns 0 or -errno. */
    static int getOption(int fd, int level, int option, MemorySegment value, MemorySegment length) {
        try {
            length.set(JAVA_INT, 0, (int) value.byteSize());
            int rc = (int) GETSOCKOPT.invokeExact(callState(), fd, level, option, value, length);
            return rc < 0 ? -errno() : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** sendmmsg(2): sends up to {@code count} messages; returns how many were sent, or -errno for the first. */
    static int sendmmsg(int fd, MemorySegment messages, int count) {
        try {
            int n = (int) SENDMMSG.invokeExact(callState(), fd, messages, count, 0);
            return n < 0 ? -errno() : n;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
