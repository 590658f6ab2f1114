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

/**
 * The libc calls a host's container needs (mounts, {@code pivot_root}, host names, joining namespaces). They change
 * the calling thread only where the kernel allows it (namespaces, root and working directory after
 * {@link #CLONE_FS} is unshared), so they run on dedicated platform threads that end afterwards.
 */
final class ContainerCalls {
    static final int CLONE_FS = 0x00000200;
    static final int CLONE_NEWNS = 0x00020000;
    static final int CLONE_NEWUTS = 0x04000000;
    static final int CLONE_NEWIPC = 0x08000000;
    static final int CLONE_NEWPID = 0x20000000;
    static final int CLONE_NEWNET = 0x40000000;
    static final long MS_RDONLY = 0x1;
    static final long MS_NOSUID = 0x2;
    static final long MS_NODEV = 0x4;
    static final long MS_NOEXEC = 0x8;
    static final long MS_REMOUNT = 0x20;
    static final long MS_BIND = 0x1000;
    static final long MS_REC = 0x4000;
    static final long MS_PRIVATE = 1 << 18;
    static final int MNT_DETACH = 2;
    private static final long SYS_PIVOT_ROOT = 155;

    private static final MethodHandle UNSHARE = downcall("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SETNS = downcall("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle MOUNT = downcall("mount",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle UMOUNT2 = downcall("umount2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CHDIR = downcall("chdir", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SETHOSTNAME = downcall("sethostname",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle PIVOT_ROOT = NativeCalls.syscall(
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS));

    private ContainerCalls() {
    }

    static void unshare(int flags) {
        try {
            check((int) UNSHARE.invokeExact(callState(), flags), "unshare");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Joins the namespace behind {@code path} (e.g. {@code /proc/PID/ns/mnt}) of kind {@code nstype}. */
    static void setns(String path, int nstype) {
        int fd = Libc.open(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
        try {
            check((int) SETNS.invokeExact(callState(), fd, nstype), "setns " + path);
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            NativeCalls.close(fd);
        }
    }

    /** mount(2); {@code source}, {@code type} and {@code data} may be null. */
    static void mount(String source, String target, String type, long flags, String data) {
        try (Arena arena = Arena.ofConfined()) {
            check((int) MOUNT.invokeExact(callState(), string(arena, source), arena.allocateFrom(target),
                    string(arena, type), flags, string(arena, data)), "mount " + (type != null ? type : source)
                    + " on " + target);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void umount2(String target, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            check((int) UMOUNT2.invokeExact(callState(), arena.allocateFrom(target), flags), "umount " + target);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void chdir(String dir) {
        try (Arena arena = Arena.ofConfined()) {
            check((int) CHDIR.invokeExact(callState(), arena.allocateFrom(dir)), "chdir " + dir);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void sethostname(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocateFrom(name);
            check((int) SETHOSTNAME.invokeExact(callState(), s, s.byteSize() - 1), "sethostname " + name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** pivot_root(2) (glibc has no wrapper). */
    static void pivotRoot(String newRoot, String putOld) {
        try (Arena arena = Arena.ofConfined()) {
            check((long) PIVOT_ROOT.invokeExact(callState(), SYS_PIVOT_ROOT, arena.allocateFrom(newRoot),
                    arena.allocateFrom(putOld)), "pivot_root " + newRoot);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static MemorySegment string(Arena arena, String s) {
        return s == null ? MemorySegment.NULL : arena.allocateFrom(s);
    }
}
