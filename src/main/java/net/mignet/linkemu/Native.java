package net.mignet.linkemu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static net.mignet.kernel.NativeCalls.callState;
import static net.mignet.kernel.NativeCalls.check;
import static net.mignet.kernel.NativeCalls.downcall;
import static net.mignet.kernel.NativeCalls.errno;
import static net.mignet.kernel.NativeCalls.rethrow;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import net.mignet.kernel.NativeCalls;

/**
 * The libc calls of the userspace link engine, on {@link NativeCalls}. The per-frame calls ({@code recv},
 * {@code send}, the waits) return {@code -errno} instead of throwing, since EAGAIN is the normal end of a
 * burst, and allocate nothing.
 */
final class Native {
    static final int AF_PACKET = 17;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOCK_NONBLOCK = 0x800;
    static final int ETH_P_ALL = 0x0003;
    static final int SOL_SOCKET = 1;
    static final int SO_SNDBUFFORCE = 32;
    static final int SO_RCVBUFFORCE = 33;
    static final int SO_ATTACH_BPF = 50;
    static final int SOL_PACKET = 263;
    static final int PACKET_VNET_HDR = 15;
    static final int PACKET_QDISC_BYPASS = 20;
    static final int PACKET_IGNORE_OUTGOING = 23;
    static final int MSG_TRUNC = 0x20;
    static final int MSG_DONTWAIT = 0x40;
    static final int EAGAIN = 11;
    static final int EINTR = 4;
    static final int EBADF = 9;
    static final int EINVAL = 22;
    static final int ENOBUFS = 105;
    static final int ENETDOWN = 100;
    static final int ENXIO = 6;
    static final short POLLIN = 1;
    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_MOD = 3;
    static final int EPOLLIN = 1;
    /** {@code epoll_pwait2}'s number, the same on every architecture (Linux 5.11); glibc wraps it from 2.35 only. */
    private static final long SYS_EPOLL_PWAIT2 = 441;
    static final int EFD_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;
    static final int PR_SET_TIMERSLACK = 29;
    static final int SO_TIMESTAMPNS = 35;
    static final int CLOCK_REALTIME = 0;
    /** The clock of {@link System#nanoTime} on Linux. */
    static final int CLOCK_MONOTONIC = 1;

    private static final MethodHandle SOCKET = downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT));
    private static final MethodHandle BIND = downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS,
            JAVA_INT));
    private static final MethodHandle RECV = downcall("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS,
            JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECVMSG = downcall("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT,
            ADDRESS, JAVA_INT));
    private static final MethodHandle CLOCK_GETTIME = downcall("clock_gettime", FunctionDescriptor.of(JAVA_INT,
            JAVA_INT, ADDRESS));
    private static final MethodHandle SEND = downcall("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS,
            JAVA_LONG, JAVA_INT));
    private static final MethodHandle PPOLL = downcall("ppoll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG,
            ADDRESS, ADDRESS));
    private static final MethodHandle EPOLL_CREATE1 = downcall("epoll_create1", FunctionDescriptor.of(JAVA_INT,
            JAVA_INT));
    private static final MethodHandle EPOLL_CTL = downcall("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_PWAIT2 = NativeCalls.syscall(FunctionDescriptor.of(JAVA_LONG, JAVA_LONG,
            JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle EVENTFD = downcall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
            JAVA_INT));
    private static final MethodHandle READ = downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS,
            JAVA_LONG));
    private static final MethodHandle WRITE = downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS,
            JAVA_LONG));
    private static final MethodHandle PRCTL = downcall("prctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle GETTID = downcall("gettid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SETPRIORITY = downcall("setpriority", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT));
    private static final MethodHandle SCHED_GETCPU = downcall("sched_getcpu", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SCHED_SETAFFINITY = downcall("sched_setaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle SCHED_GETAFFINITY = downcall("sched_getaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    /** Bytes of a {@code cpu_set_t} (1024 CPUs). */
    static final int CPU_SET_BYTES = 128;

    private Native() {
    }

    static int socket(int domain, int type, int protocol) {
        try {
            return check((int) SOCKET.invokeExact(callState(), domain, type, protocol), "socket(AF_PACKET)");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void bind(int fd, MemorySegment address, int length, String what) {
        try {
            check((int) BIND.invokeExact(callState(), fd, address, length), what);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** recv(2); returns -errno instead of throwing, since EAGAIN is the normal end of a burst. */
    static long recv(int fd, MemorySegment buffer, long length, int flags) {
        try {
            long n = (long) RECV.invokeExact(callState(), fd, buffer, length, flags);
            return n < 0 ? -errno() : n;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** recvmsg(2); returns -errno instead of throwing. */
    static long recvmsg(int fd, MemorySegment msghdr, int flags) {
        try {
            long n = (long) RECVMSG.invokeExact(callState(), fd, msghdr, flags);
            return n < 0 ? -errno() : n;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** clock_gettime(2) into a {@code struct timespec}. */
    static void clockGettime(int clock, MemorySegment timespec) {
        try {
            int ignored = (int) CLOCK_GETTIME.invokeExact(callState(), clock, timespec);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** send(2); returns -errno instead of throwing. */
    static long send(int fd, MemorySegment buffer, long length, int flags) {
        try {
            long n = (long) SEND.invokeExact(callState(), fd, buffer, length, flags);
            return n < 0 ? -errno() : n;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** ppoll(2) with a timeout in a {@code struct timespec}, or NULL to wait forever; returns -errno on failure. */
    static int ppoll(MemorySegment fds, long count, MemorySegment timeout) {
        try {
            int n = (int) PPOLL.invokeExact(callState(), fds, count, timeout, MemorySegment.NULL);
            return n < 0 ? -errno() : n;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int epollCreate() {
        try {
            return check((int) EPOLL_CREATE1.invokeExact(callState(), EPOLL_CLOEXEC), "epoll_create1");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** epoll_ctl(2) with {@code event} (a {@code struct epoll_event}); returns -errno on failure. */
    static int epollCtl(int epollFd, int op, int fd, MemorySegment event) {
        try {
            int n = (int) EPOLL_CTL.invokeExact(callState(), epollFd, op, fd, event);
            return n < 0 ? -errno() : n;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * epoll_pwait2(2): waits at most the {@code struct timespec} {@code timeout} (nanoseconds, unlike epoll_wait's
     * milliseconds) for up to {@code maxEvents}; returns how many came, or -errno.
     */
    static int epollWait(int epollFd, MemorySegment events, int maxEvents, MemorySegment timeout) {
        try {
            long n = (long) EPOLL_PWAIT2.invokeExact(callState(), SYS_EPOLL_PWAIT2, (long) epollFd, events,
                    (long) maxEvents, timeout, MemorySegment.NULL, 0L);
            return n < 0 ? -errno() : (int) n;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int eventfd() {
        try {
            return check((int) EVENTFD.invokeExact(callState(), 0, EFD_CLOEXEC | EFD_NONBLOCK), "eventfd");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long read(int fd, MemorySegment buffer, long length) {
        try {
            return (long) READ.invokeExact(callState(), fd, buffer, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long write(int fd, MemorySegment buffer, long length) {
        try {
            return (long) WRITE.invokeExact(callState(), fd, buffer, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Asks the kernel to wake this thread's timed waits within {@code nanos} of the deadline (default 50 us). */
    static void setTimerSlack(long nanos) {
        try {
            int ignored = (int) PRCTL.invokeExact(callState(), PR_SET_TIMERSLACK, nanos, 0L, 0L, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The CPU the calling thread runs on now, or -1. */
    static int currentCpu() {
        try {
            return (int) SCHED_GETCPU.invokeExact(callState());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The calling thread's CPU affinity into {@code mask} ({@link #CPU_SET_BYTES}); false on failure. */
    static boolean getAffinity(MemorySegment mask) {
        try {
            return (int) SCHED_GETAFFINITY.invokeExact(callState(), 0, (long) CPU_SET_BYTES, mask) == 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Sets the calling thread's CPU affinity (pid 0 is the calling thread); false on failure. */
    static boolean setAffinity(MemorySegment mask) {
        try {
            return (int) SCHED_SETAFFINITY.invokeExact(callState(), 0, (long) CPU_SET_BYTES, mask) == 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Sets the calling thread's nice value (PRIO_PROCESS on a thread id applies to that thread only); returns
     * false when not allowed.
     */
    static boolean setThreadNice(int nice) {
        try {
            int tid = (int) GETTID.invokeExact(callState());
            return (int) SETPRIORITY.invokeExact(callState(), 0, tid, nice) == 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
