package net.mignet.kernel;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static net.mignet.kernel.NativeCalls.callState;
import static net.mignet.kernel.NativeCalls.downcall;
import static net.mignet.kernel.NativeCalls.rethrow;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The socket calls of OpenFlow's punt path (nfnetlink_log to read frames, {@code AF_PACKET} to inject them) that
 * return {@code -errno} instead of throwing: a receive that times out or a frame the kernel refuses is routine
 * there, not an exception.
 */
final class PuntCalls {
    static final int AF_PACKET = 17;
    static final int NETLINK_NETFILTER = 12;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVBUFFORCE = 33;
    static final int EAGAIN = 11;
    static final int EINTR = 4;
    static final int ENOBUFS = 105;

    private static final MethodHandle RECV = downcall("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SENDTO = downcall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));

    private PuntCalls() {
    }

    /** recv(2); the bytes received or -errno. */
    static long recv(int fd, MemorySegment buffer, long length) {
        try {
            long n = (long) RECV.invokeExact(callState(), fd, buffer, length, 0);
            return n < 0 ? -NativeCalls.errno() : n;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** sendto(2); the bytes sent or -errno. */
    static long sendTo(int fd, MemorySegment buffer, long length, MemorySegment address, int addressLength) {
        try {
            long n = (long) SENDTO.invokeExact(callState(), fd, buffer, length, 0, address, addressLength);
            return n < 0 ? -NativeCalls.errno() : n;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
