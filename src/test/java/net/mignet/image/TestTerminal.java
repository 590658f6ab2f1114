package net.mignet.image;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import net.mignet.kernel.NativeCalls;

/**
 * A pseudo-terminal for the tests: the master is read into lines, and one slave descriptor stays open here so the
 * master never sees end of file while the program is between its dump and its restore. (mignet's own terminals
 * are app/kernel's business; this is the least a test needs.)
 */
final class TestTerminal implements AutoCloseable {
    private static final int O_RDWR = 2;
    private static final int O_NOCTTY = 0x100;
    private static final MethodHandle POSIX_OPENPT = downcall("posix_openpt", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GRANTPT = downcall("grantpt", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle UNLOCKPT = downcall("unlockpt", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle PTSNAME_R = downcall("ptsname_r",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle OPEN = downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle READ = downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));

    private final int master;
    private final int slave;
    private final Path slavePath;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    TestTerminal() {
        try (Arena arena = Arena.ofConfined()) {
            master = check((int) POSIX_OPENPT.invokeExact(callState(), O_RDWR | O_NOCTTY), "posix_openpt");
            check((int) GRANTPT.invokeExact(callState(), master), "grantpt");
            check((int) UNLOCKPT.invokeExact(callState(), master), "unlockpt");
            MemorySegment name = arena.allocate(128);
            int rc = (int) PTSNAME_R.invokeExact(callState(), master, name, 128L);
            if (rc != 0) {
                throw new IllegalStateException("ptsname_r: error " + rc);
            }
            slavePath = Path.of(name.getString(0));
            slave = check((int) OPEN.invokeExact(callState(), arena.allocateFrom(slavePath.toString()),
                    O_RDWR | O_NOCTTY), "open " + slavePath);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        reader = Thread.ofPlatform().daemon().name("test-terminal-" + slavePath.getFileName()).start(this::read);
    }

    Path slavePath() {
        return slavePath;
    }

    private void read() {
        StringBuilder partial = new StringBuilder();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(4096);
            while (true) {
                long n = (long) READ.invokeExact(callState(), master, buffer, 4096L);
                if (n <= 0) {
                    return; // EIO once closed
                }
                partial.append(new String(buffer.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8));
                int nl;
                while ((nl = partial.indexOf("\n")) >= 0) {
                    String line = partial.substring(0, nl).replace("\r", "");
                    partial.delete(0, nl + 1);
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Waits for a line matching {@code test}; false when none came within {@code timeout}. */
    boolean await(Predicate<String> test, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (lines.stream().noneMatch(test)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                lines.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    @Override
    public void close() {
        NativeCalls.close(slave);
        NativeCalls.close(master);
    }

    @Override
    public String toString() {
        return slavePath.toString();
    }
}
