package net.mignet.kernel;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static net.mignet.kernel.NativeCalls.callState;
import static net.mignet.kernel.NativeCalls.downcall;
import static net.mignet.kernel.NativeCalls.errno;
import static net.mignet.kernel.NativeCalls.rethrow;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import net.mignet.kernel.NativeCalls.NativeException;

/**
 * The {@code bpf(2)} commands mignet uses: array maps (one value, optionally per CPU or mapped into this process),
 * loading a program from its instructions (with the verifier's log in the error), attaching one to a device's tc
 * ingress through a {@code tcx} link (Linux 6.6), whose file descriptor is the attachment: closing it, or the
 * process ending, detaches the program, so nothing is left behind for {@code mignet clean}.
 */
public final class BpfCalls {
    /** {@code bpf(2)}'s number (x86-64, arm64); libc has no wrapper. */
    private static final long SYS_BPF = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> 321;
        case "aarch64" -> 280;
        default -> -1;
    };
    private static final int BPF_MAP_CREATE = 0;
    private static final int BPF_PROG_LOAD = 5;
    private static final int BPF_LINK_CREATE = 28;
    public static final int MAP_TYPE_ARRAY = 2;
    public static final int MAP_TYPE_PERCPU_ARRAY = 6;
    /** The map's values can be mapped into the process ({@code BPF_F_MMAPABLE}, arrays only). */
    private static final int F_MMAPABLE = 1 << 10;
    public static final int PROG_TYPE_SOCKET_FILTER = 1;
    public static final int PROG_TYPE_SCHED_CLS = 3;
    private static final int ATTACH_TCX_INGRESS = 46;
    /** Big enough for every {@code bpf_attr} member used here; the kernel reads this many bytes, all zero but ours. */
    private static final int ATTR_BYTES = 128;
    private static final int LOG_BYTES = 64 * 1024;
    private static final long PAGE = 4096;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_SHARED = 0x01;

    private static final MethodHandle BPF = NativeCalls.syscall(FunctionDescriptor.of(JAVA_LONG, JAVA_LONG,
            JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle MMAP = downcall("mmap", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = downcall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS,
            JAVA_LONG));

    private BpfCalls() {
    }

    /**
     * A map of {@code type} with one value of {@code valueBytes} under key 0 (an int), mapped into this process
     * when {@code mmapable}; returns its file descriptor.
     */
    public static int createArrayMap(int type, int valueBytes, boolean mmapable, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_BYTES);
            attr.set(JAVA_INT, 0, type);
            attr.set(JAVA_INT, 4, 4);
            attr.set(JAVA_INT, 8, valueBytes);
            attr.set(JAVA_INT, 12, 1);
            attr.set(JAVA_INT, 16, mmapable ? F_MMAPABLE : 0);
            putName(attr, 28, name);
            return (int) call(BPF_MAP_CREATE, attr, "bpf(BPF_MAP_CREATE) " + name);
        }
    }

    /**
     * Loads a program of {@code type} made of {@code instructions} (8 bytes each); returns its file descriptor. A
     * refusal by the verifier throws with the end of its log, which says which instruction it refused and why.
     */
    public static int loadProgram(int type, byte[] instructions, String name) {
        // Without a log first: the verifier writes one only when asked, and a valid program then costs less.
        long fd = load(type, instructions, name, false);
        return (int) (fd >= 0 ? fd : load(type, instructions, name, true));
    }

    /** One load; with {@code log}, a refusal throws with the verifier's log, else it returns -errno. */
    private static long load(int type, byte[] instructions, String name, boolean log) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_BYTES);
            MemorySegment code = arena.allocate(instructions.length, 8);
            code.copyFrom(MemorySegment.ofArray(instructions));
            MemorySegment license = arena.allocateFrom("GPL");
            MemorySegment logBuffer = arena.allocate(log ? LOG_BYTES : 1);
            attr.set(JAVA_INT, 0, type);
            attr.set(JAVA_INT, 4, instructions.length / 8);
            attr.set(JAVA_LONG, 8, code.address());
            attr.set(JAVA_LONG, 16, license.address());
            if (log) {
                attr.set(JAVA_INT, 24, 1);
                attr.set(JAVA_INT, 28, LOG_BYTES);
                attr.set(JAVA_LONG, 32, logBuffer.address());
            }
            putName(attr, 48, name);
            long fd = bpf(BPF_PROG_LOAD, attr);
            if (fd < 0 && log) {
                String text = logBuffer.getString(0, StandardCharsets.UTF_8).strip();
                int from = text.length() > 2000 ? text.lastIndexOf('\n', text.length() - 2000) + 1 : 0;
                throw new NativeException("bpf(BPF_PROG_LOAD) " + name + (text.isEmpty() ? "" : " (verifier: "
                        + text.substring(from) + ")"), (int) -fd, NativeCalls.strerror((int) -fd));
            }
            return fd;
        }
    }

    /**
     * Attaches a {@link #PROG_TYPE_SCHED_CLS} program to the tc ingress of the device {@code ifindex} in the calling
     * thread's network namespace, after any program already there; returns the link's file descriptor.
     */
    public static int attachTcxIngress(int programFd, int ifindex, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_BYTES);
            attr.set(JAVA_INT, 0, programFd);
            attr.set(JAVA_INT, 4, ifindex);
            attr.set(JAVA_INT, 8, ATTACH_TCX_INGRESS);
            return (int) call(BPF_LINK_CREATE, attr, "bpf(BPF_LINK_CREATE) tcx ingress " + what);
        }
    }

    /** Maps the values of an array map created {@code mmapable} (the first {@code bytes}, page-rounded). */
    public static MemorySegment mapValues(int mapFd, long bytes) {
        long length = (bytes + PAGE - 1) / PAGE * PAGE;
        try {
            MemorySegment address = (MemorySegment) MMAP.invokeExact(callState(), MemorySegment.NULL, length,
                    PROT_READ_WRITE, MAP_SHARED, mapFd, 0L);
            if (address.address() == -1L) {
                int e = errno();
                throw new NativeException("mmap of a bpf map", e, NativeCalls.strerror(e));
            }
            return address.reinterpret(length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void unmap(MemorySegment values) {
        try {
            int ignored = (int) MUNMAP.invokeExact(callState(), values, values.byteSize());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Object names are at most 15 characters of [A-Za-z0-9_.]. */
    private static void putName(MemorySegment attr, long offset, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < Math.min(15, bytes.length); i++) {
            char c = (char) bytes[i];
            attr.set(java.lang.foreign.ValueLayout.JAVA_BYTE, offset + i,
                    (byte) (Character.isLetterOrDigit(c) || c == '.' ? c : '_'));
        }
    }

    private static long call(int command, MemorySegment attr, String what) {
        long rc = bpf(command, attr);
        if (rc < 0) {
            throw new NativeException(what, (int) -rc, NativeCalls.strerror((int) -rc));
        }
        return rc;
    }

    /** bpf(2); returns -errno on failure. */
    private static long bpf(int command, MemorySegment attr) {
        if (SYS_BPF < 0) {
            throw new UnsupportedOperationException("bpf(2) on " + System.getProperty("os.arch")
                    + ": its system call number is not known here");
        }
        try {
            long rc = (long) BPF.invokeExact(callState(), SYS_BPF, command, attr, ATTR_BYTES);
            return rc < 0 ? -errno() : rc;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
