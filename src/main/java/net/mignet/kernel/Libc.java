package net.mignet.kernel;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static net.mignet.kernel.NativeCalls.callState;
import static net.mignet.kernel.NativeCalls.check;
import static net.mignet.kernel.NativeCalls.downcall;
import static net.mignet.kernel.NativeCalls.rethrow;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** The libc calls the kernel package needs for namespaces and netlink that the JDK does not offer. */
final class Libc {
    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 0x80000;
    static final int CLONE_NEWNET = 0x40000000;
    static final int AF_NETLINK = 16;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final long MS_BIND = 0x1000;

    private static final MethodHandle OPEN = downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETNS = downcall("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle UNSHARE = downcall("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle MOUNT = downcall("mount",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle SOCKET = downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SEND = downcall("send",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECV = downcall("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

    private Libc() {
    }

    static int open(String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            return check((int) OPEN.invokeExact(callState(), arena.allocateFrom(path), flags), "open " + path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void setns(int fd, int nstype) {
        try {
            check((int) SETNS.invokeExact(callState(), fd, nstype), "setns");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Moves the calling thread (only it) into new namespaces of the given kinds. */
    static void unshare(int flags) {
        try {
            check((int) UNSHARE.invokeExact(callState(), flags), "unshare");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** mount(2) without file system data. */
    static void mount(String source, String target, String type, long flags) {
        try (Arena arena = Arena.ofConfined()) {
            check((int) MOUNT.invokeExact(callState(), arena.allocateFrom(source), arena.allocateFrom(target),
                    arena.allocateFrom(type), flags, MemorySegment.NULL), "mount " + source + " on " + target);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int socket(int domain, int type, int protocol) {
        try {
            return check((int) SOCKET.invokeExact(callState(), domain, type, protocol), "socket");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long send(int fd, MemorySegment buffer, long length) {
        try {
            return check((long) SEND.invokeExact(callState(), fd, buffer, length, 0), "send");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long recv(int fd, MemorySegment buffer, long length) {
        try {
            return check((long) RECV.invokeExact(callState(), fd, buffer, length, 0), "recv");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
