package net.mignet.kernel;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static net.mignet.kernel.NativeCalls.callState;
import static net.mignet.kernel.NativeCalls.check;
import static net.mignet.kernel.NativeCalls.downcall;
import static net.mignet.kernel.NativeCalls.rethrow;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One pseudo-terminal pair: the master stays with mignet, the slave becomes a program's standard input,
 * output or error. mignet keeps one slave descriptor open itself for the pair's whole life, so the master never
 * reports end of file merely because the program's process went away (a checkpointed process is killed on one
 * host and restored on another, still writing to the same slave). Neither descriptor is ever a controlling
 * terminal: both are opened with {@code O_NOCTTY}.
 */
public final class PseudoTerminal implements AutoCloseable {
    /** What the program does with the slave, which decides its line discipline settings. */
    public enum Use {
        /** The program writes: no output processing, so {@code \n} stays {@code \n} (no {@code ONLCR}). */
        OUTPUT,
        /** The program reads lines: canonical mode, no echo back to the master. */
        INPUT
    }

    private static final int O_RDWR = 2;
    private static final int O_NOCTTY = 0x100;
    private static final int O_CLOEXEC = 0x80000;
    private static final int EIO = 5;
    private static final int EINTR = 4;
    private static final int TERMIOS_SIZE = 60;
    private static final int C_OFLAG = 4;
    private static final int C_LFLAG = 12;
    private static final int OPOST = 0x1;
    private static final int ICANON = 0x2;
    private static final int ECHO = 0x8;
    private static final int ECHOE = 0x10;
    private static final int ECHOK = 0x20;
    private static final int ECHONL = 0x40;
    private static final int ECHOCTL = 0x200;
    private static final int ECHOKE = 0x800;
    private static final int TCSANOW = 0;

    private static final MethodHandle POSIX_OPENPT = downcall("posix_openpt", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GRANTPT = downcall("grantpt", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle UNLOCKPT = downcall("unlockpt", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle PTSNAME_R = downcall("ptsname_r",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle OPEN = downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle TCGETATTR = downcall("tcgetattr",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle TCSETATTR = downcall("tcsetattr",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));

    private final int master;
    private final String slavePath;
    private final long rdev;
    private final long dev;
    private int slave;
    private boolean masterOpen = true;

    private PseudoTerminal(int master, int slave, String slavePath, long rdev, long dev) {
        this.master = master;
        this.slave = slave;
        this.slavePath = slavePath;
        this.rdev = rdev;
        this.dev = dev;
    }

    /** Opens a new pair and sets its line discipline for {@code use}. */
    public static PseudoTerminal open(Use use) {
        int master = -1;
        int slave = -1;
        try (Arena arena = Arena.ofConfined()) {
            master = check((int) POSIX_OPENPT.invokeExact(callState(), O_RDWR | O_NOCTTY | O_CLOEXEC),
                    "posix_openpt (is /dev/pts mounted?)");
            check((int) GRANTPT.invokeExact(callState(), master), "grantpt");
            check((int) UNLOCKPT.invokeExact(callState(), master), "unlockpt");
            MemorySegment name = arena.allocate(128);
            int rc = (int) PTSNAME_R.invokeExact(callState(), master, name, 128L);
            if (rc != 0) {
                throw new NativeCalls.NativeException("ptsname_r", rc, NativeCalls.strerror(rc));
            }
            String path = name.getString(0);
            slave = check((int) OPEN.invokeExact(callState(), arena.allocateFrom(path), O_RDWR | O_NOCTTY | O_CLOEXEC),
                    "open " + path);
            configure(arena, slave, use);
            long rdev = (Long) Files.getAttribute(Path.of(path), "unix:rdev");
            long dev = (Long) Files.getAttribute(Path.of(path), "unix:dev");
            return new PseudoTerminal(master, slave, path, rdev, dev);
        } catch (Throwable t) {
            if (slave >= 0) {
                NativeCalls.close(slave);
            }
            if (master >= 0) {
                NativeCalls.close(master);
            }
            if (t instanceof IOException e) {
                throw new IllegalStateException("cannot read the new terminal's device numbers: " + e.getMessage(), e);
            }
            throw rethrow(t);
        }
    }

    private static void configure(Arena arena, int fd, Use use) throws Throwable {
        MemorySegment termios = arena.allocate(TERMIOS_SIZE + 4);
        check((int) TCGETATTR.invokeExact(callState(), fd, termios), "tcgetattr");
        int oflag = termios.get(JAVA_INT, C_OFLAG) & ~OPOST;
        int lflag = termios.get(JAVA_INT, C_LFLAG) & ~(ECHO | ECHOE | ECHOK | ECHONL | ECHOCTL | ECHOKE);
        if (use == Use.INPUT) {
            lflag |= ICANON;
        }
        termios.set(JAVA_INT, C_OFLAG, oflag);
        termios.set(JAVA_INT, C_LFLAG, lflag);
        check((int) TCSETATTR.invokeExact(callState(), fd, TCSANOW, termios), "tcsetattr");
    }

    public int masterFd() {
        return master;
    }

    /** mignet's own slave descriptor (close-on-exec), or -1 once {@link #closeSlave()} was called. */
    public synchronized int slaveFd() {
        return slave;
    }

    /** The slave's path, e.g. {@code /dev/pts/7}; open it only with {@code O_NOCTTY}. */
    public String slavePath() {
        return slavePath;
    }

    /**
     * How CRIU names this terminal for {@code --external} on dump and {@code --inherit-fd fd[N]:KEY} on
     * restore: {@code tty[<st_rdev hex>:<st_dev hex>]} of the slave.
     */
    public String criuKey() {
        return "tty[" + Long.toHexString(rdev) + ":" + Long.toHexString(dev) + "]";
    }

    /**
     * Reads what the program wrote into {@code buffer}; blocks until there is something. Returns the byte
     * count, or -1 once no slave is open any more and everything was read.
     */
    public long read(MemorySegment buffer) {
        while (true) {
            try {
                long n = (long) READ.invokeExact(callState(), master, buffer, buffer.byteSize());
                if (n >= 0) {
                    return n == 0 ? -1 : n;
                }
                int errno = NativeCalls.errno();
                if (errno == EIO) {
                    return -1;
                }
                if (errno != EINTR) {
                    check(n, "read from the terminal " + slavePath);
                }
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
    }

    /** Writes to the master: the program reads it from the slave (its standard input). */
    public void writeToProgram(byte[] bytes) {
        writeAll(master, bytes, "write to the terminal " + slavePath);
    }

    /**
     * Writes through mignet's slave descriptor, as the program would: the bytes reach the master after
     * everything written before them, which marks a point in the stream.
     */
    public synchronized void writeAsProgram(byte[] bytes) {
        if (slave < 0) {
            throw new IllegalStateException("the terminal " + slavePath + " was released");
        }
        writeAll(slave, bytes, "write to " + slavePath);
    }

    private static void writeAll(int fd, byte[] bytes, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, bytes);
            long done = 0;
            while (done < bytes.length) {
                long n = (long) WRITE.invokeExact(callState(), fd, data.asSlice(done), (long) bytes.length - done);
                if (n < 0 && NativeCalls.errno() == EINTR) {
                    continue;
                }
                done += check(n, what);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Closes mignet's slave descriptor: once the program's copies are closed too, {@link #read} returns what
     * is left and then -1.
     */
    public synchronized void closeSlave() {
        if (slave >= 0) {
            NativeCalls.close(slave);
            slave = -1;
        }
    }

    /** Closes both ends. Call it only when no thread is in {@link #read} any more. */
    @Override
    public synchronized void close() {
        closeSlave();
        if (masterOpen) {
            masterOpen = false;
            NativeCalls.close(master);
        }
    }

    @Override
    public String toString() {
        return slavePath + " " + criuKey();
    }
}
