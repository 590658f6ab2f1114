package net.mignet.kernel;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@code criu dump} started ahead of time, waiting at a gate before it touches the process: criu is loaded (its
 * dynamic loader resolving two dozen libraries), has read its kernel cache and parsed its options while the app
 * still serves, and the freeze begins when {@link #dump} opens the gate. Measured with the loaded machine of this
 * project: starting criu through its root's loader took 18-68 ms before it did anything, against 4-8 ms for
 * {@code /bin/true}.
 *
 * <p>The gate is criu's own {@code --action-script}: criu runs it with {@code CRTOOLS_SCRIPT_ACTION=pre-dump}
 * before it seizes the tree, and the script (a fixed file, no interpolated text) waits for one word on a FIFO
 * named by the environment: {@code go} lets the dump proceed, anything else makes criu give up without having
 * touched the process. criu runs directly in the source host's network namespace (no {@code nsenter}).
 */
public final class CriuPreparedDump implements AutoCloseable {
    private static final String GATE_VARIABLE = "MIGNET_CRIU_GATE";
    private static final String SCRIPT = """
            #!/bin/sh
            # mignet: holds a prepared criu dump until mignet opens the gate (see CriuPreparedDump).
            [ "$CRTOOLS_SCRIPT_ACTION" = pre-dump ] || exit 0
            read -r word < "$MIGNET_CRIU_GATE" || exit 1
            [ "$word" = go ]
            """;
    private static final Duration ABANDON_TIMEOUT = Duration.ofSeconds(10);
    private static final int O_RDWR = 2;
    private static final MethodHandle MKFIFO = NativeCalls.downcall("mkfifo",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

    private final CriuDumpOptions options;
    private final long pid;
    private final FileChannel gate;
    private final Path fifo;
    private final CompletableFuture<OptionalInt> exit = new CompletableFuture<>();
    private boolean used;

    private CriuPreparedDump(CriuDumpOptions options, long pid, FileChannel gate, Path fifo) {
        this.options = options;
        this.pid = pid;
        this.gate = gate;
        this.fifo = fifo;
        Thread.ofPlatform().daemon().name("criu-dump-" + pid).start(() -> exit.complete(ProcessExit.await(pid)));
    }

    /**
     * Starts criu ({@code criuArguments}: the dump's arguments after the command that runs criu) inside the
     * options' namespace, holding at the gate; {@code gateDir} gets the script and the FIFO.
     */
    static CriuPreparedDump start(List<String> criuCommand, List<String> criuArguments, CriuDumpOptions options,
            Path gateDir) {
        Path script = gateDir.resolve("dump-gate.sh");
        Path fifo = gateDir.resolve("dump-gate");
        FileChannel gate = null;
        try {
            Files.createDirectories(gateDir);
            Files.createDirectories(options.imagesDir());
            Files.writeString(script, SCRIPT);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
            Files.deleteIfExists(fifo);
            mkfifo(fifo);
            // Read and write: opening never blocks, and the word stays in the FIFO until the script reads it.
            gate = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE);
            List<String> argv = new ArrayList<>(criuCommand);
            argv.addAll(criuArguments);
            argv.addAll(List.of("--action-script", script.toString()));
            Map<String, String> env = new HashMap<>(System.getenv());
            env.put(GATE_VARIABLE, fifo.toString());
            int devNull = Libc.open("/dev/null", O_RDWR | Libc.O_CLOEXEC);
            long pid;
            try {
                pid = ChildSpawn.inNetworkNamespace(options.namespace(), argv, env, devNull, devNull, devNull);
            } finally {
                NativeCalls.close(devNull);
            }
            return new CriuPreparedDump(options, pid, gate, fifo);
        } catch (IOException e) {
            closeQuietly(gate);
            throw new UncheckedIOException("cannot prepare a criu dump in " + gateDir, e);
        } catch (RuntimeException e) {
            closeQuietly(gate);
            throw e;
        }
    }

    /** The dump it will make. */
    public CriuDumpOptions options() {
        return options;
    }

    /** Opens the gate and waits until criu has dumped the tree; returns how long that took. */
    public Duration dump() {
        if (used) {
            throw new IllegalStateException("this prepared dump was used already");
        }
        used = true;
        long t0 = System.nanoTime();
        say("go");
        OptionalInt status = awaitExit(Criu.OPERATION_TIMEOUT);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        release();
        if (status.isEmpty() || status.getAsInt() != 0) {
            throw new CriuException("criu dump of pid " + options.pid() + " failed (exit "
                    + (status.isPresent() ? status.getAsInt() : "unknown") + ")", options.logFile());
        }
        return took;
    }

    /** Unless it dumped: tells criu to give up (it has not touched the process) and waits for it. */
    @Override
    public void close() {
        if (!used) {
            used = true;
            say("no");
            if (!exit.isDone()) {
                try {
                    exit.get(ABANDON_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    Signals.send(pid, 9);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        release();
    }

    private void say(String word) {
        try {
            ByteBuffer b = ByteBuffer.wrap((word + "\n").getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) {
                gate.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the gate of the prepared criu dump", e);
        }
    }

    private OptionalInt awaitExit(Duration timeout) {
        try {
            return exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            Signals.send(pid, 9);
            throw new CriuException("criu dump of pid " + options.pid() + " did not finish within "
                    + timeout.toSeconds() + " s", options.logFile());
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for criu failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during criu dump", e);
        }
    }

    private void release() {
        closeQuietly(gate);
        try {
            Files.deleteIfExists(fifo);
        } catch (IOException e) {
            // Removed with the migration's directory.
        }
    }

    private static void mkfifo(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            NativeCalls.check((int) MKFIFO.invokeExact(NativeCalls.callState(), arena.allocateFrom(path.toString()),
                    0600), "mkfifo " + path);
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // already closed
            }
        }
    }
}
