package net.mignet.cli;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.mignet.kernel.ChildSpawn;
import net.mignet.kernel.NativeCalls;
import net.mignet.kernel.ProcessExit;
import net.mignet.kernel.PseudoTerminal;
import net.mignet.kernel.Signals;

/**
 * mignet's Main in a child JVM whose controlling terminal is a pseudo-terminal, as a user's would be: keys typed
 * into the master (Ctrl-C included, which the terminal turns into SIGINT as a real one does) and everything the
 * program shows, read back as one text to await prompts in.
 */
final class PtySession implements AutoCloseable {
    private static final long TIOCSWINSZ = 0x5414;
    private final PseudoTerminal terminal = PseudoTerminal.open(PseudoTerminal.Use.INPUT);
    private final StringBuilder screen = new StringBuilder();
    private final long pid;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();

    PtySession(String... mignetArgs) {
        // setsid --ctty: a session of its own whose controlling terminal is the pty, so ^C is a signal there.
        List<String> argv = new ArrayList<>(List.of("setsid", "--wait", "--ctty",
                ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        argv.addAll(List.of(mignetArgs));
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("TERM", "xterm");
        int slave = terminal.slaveFd();
        setWindowSize(terminal.masterFd(), 50, 200);
        pid = ChildSpawn.spawn(argv, env, slave, slave, slave);
        Thread.ofPlatform().daemon().name("pty-exit-" + pid).start(() -> {
            OptionalInt code = ProcessExit.await(pid);
            exit.complete(code.orElse(-1));
        });
        Thread.ofPlatform().daemon().name("pty-reader-" + pid).start(this::read);
    }

    /** A new pty is 0x0 characters, in which JLine would cut the prompt down to nothing: give it a size. */
    private static void setWindowSize(int fd, int rows, int columns) {
        MethodHandle ioctl = NativeCalls.downcall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG,
                ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(8);
            size.set(JAVA_SHORT, 0, (short) rows);
            size.set(JAVA_SHORT, 2, (short) columns);
            NativeCalls.check((int) ioctl.invokeExact(NativeCalls.callState(), fd, TIOCSWINSZ, size), "TIOCSWINSZ");
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
    }

    private void read() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(4096);
            long n;
            while ((n = terminal.read(buffer)) > 0) {
                String text = new String(buffer.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
                synchronized (screen) {
                    screen.append(text);
                    screen.notifyAll();
                }
            }
        } catch (RuntimeException e) {
            // Closed under the reader: the test is over.
        }
    }

    /** Types {@code keys} as a user would (use \r for Enter, \u0003 for Ctrl-C, \u0004 for Ctrl-D). */
    void type(String keys) {
        terminal.writeToProgram(keys.getBytes(StandardCharsets.UTF_8));
    }

    /** How much was shown so far: an offset to await later output from. */
    int mark() {
        synchronized (screen) {
            return screen.length();
        }
    }

    /** Waits until {@code text} shows after {@code from}; false when it did not within {@code timeout}. */
    boolean await(String text, int from, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (screen) {
            while (screen.indexOf(text, from) < 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                screen.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    String screen() {
        synchronized (screen) {
            return screen.toString();
        }
    }

    /** The exit status, or empty when it did not end within {@code timeout}. */
    OptionalInt awaitExit(Duration timeout) throws InterruptedException {
        try {
            return OptionalInt.of(exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (java.util.concurrent.TimeoutException e) {
            return OptionalInt.empty();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Kills what is left (setsid and the JVM below it, by pid) and closes the terminal. */
    @Override
    public void close() throws InterruptedException {
        if (!exit.isDone()) {
            ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> Signals.send(d.pid(), 9)));
            Signals.send(pid, 9);
            awaitExit(Duration.ofSeconds(10));
        }
        terminal.close();
    }
}
