package net.mignet.image;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import net.mignet.kernel.PseudoTerminal;

/**
 * A pseudo-terminal for the tests whose master is read into lines. {@link PseudoTerminal} keeps a slave open
 * itself, so the master never sees end of file while the program is between its dump and its restore.
 */
final class TestTerminal implements AutoCloseable {
    private final PseudoTerminal terminal = PseudoTerminal.open(PseudoTerminal.Use.OUTPUT);
    private final List<String> lines = new ArrayList<>();

    TestTerminal() {
        Thread.ofPlatform().daemon().name("test-terminal-" + slavePath().getFileName()).start(this::read);
    }

    Path slavePath() {
        return Path.of(terminal.slavePath());
    }

    private void read() {
        StringBuilder partial = new StringBuilder();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(4096);
            long n;
            while ((n = terminal.read(buffer)) > 0) {
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
        } catch (RuntimeException e) {
            // Closed under the reader: the test is over.
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
        terminal.close();
    }

    @Override
    public String toString() {
        return terminal.slavePath();
    }
}
