package net.mignet.image;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A command run in a mount namespace and a PID namespace of its own, for a build that mounts file systems inside
 * the root it makes (mmdebstrap mounts /proc, /sys, /dev/pts and /dev/shm there while it installs packages).
 * Those mounts belong to the private namespace, so the machine's mount table never has them, however the build
 * ends: finished, failed, killed, or mignet killed with it. Without this, a build killed between mounting and
 * unmounting left them in the machine's mount table, over a directory nobody would remove.
 *
 * <p>How it is wired, and why each part:
 * <ul>
 * <li>{@code unshare --mount --propagation private}: the namespace; private, so no mount leaks back out;</li>
 * <li>{@code --pid --fork --kill-child}: the command is the namespace's first process and dies with unshare, and
 * when it dies the kernel kills every process it started (mmdebstrap's helpers, apt, dpkg), which would otherwise
 * outlive a killed mmdebstrap and go on writing into the build directory;</li>
 * <li>{@code setpriv --pdeathsig KILL}: unshare dies with the thread that started it, so a build never outlives
 * mignet, even after kill -9. That thread must live as long as the process (the kernel sends the signal when the
 * starting <em>thread</em> ends), so a platform thread of our own starts it, reads its output and waits for it.</li>
 * </ul>
 */
final class IsolatedProcess implements AutoCloseable {
    /** Long enough for the kernel to end the killed namespace's processes; it takes milliseconds. */
    private static final Duration NAMESPACE_END = Duration.ofSeconds(10);

    private final Process process;
    private final Thread owner;

    private IsolatedProcess(Process process, Thread owner) {
        this.process = process;
        this.owner = owner;
    }

    /** The command line that runs {@code argv} isolated. */
    static List<String> wrap(List<String> argv) {
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL", "unshare", "--mount",
                "--propagation", "private", "--pid", "--fork", "--kill-child", "--"));
        wrapped.addAll(argv);
        return wrapped;
    }

    /**
     * Starts {@code argv}, stdin from /dev/null, each line of its output and errors given to {@code lines} (on
     * the owner thread, in order).
     */
    static IsolatedProcess start(List<String> argv, Consumer<String> lines) throws IOException,
            InterruptedException {
        CompletableFuture<Process> started = new CompletableFuture<>();
        Thread owner = Thread.ofPlatform().daemon().name("isolated " + argv.getFirst()).start(() -> {
            Process p;
            try {
                p = new ProcessBuilder(wrap(argv)).redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            } catch (IOException | RuntimeException e) {
                started.completeExceptionally(e);
                return;
            }
            started.complete(p);
            pump(p, lines);
        });
        try {
            return new IsolatedProcess(started.get(), owner);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().toString(), e.getCause());
        } catch (InterruptedException e) {
            // The owner thread may still start it, and would then outlive nobody's wait: end it once started.
            started.thenAccept(Process::destroyForcibly);
            throw e;
        }
    }

    /** Reads to the end of the output, then outlives the process (see the class comment). */
    private static void pump(Process p, Consumer<String> lines) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                lines.accept(line);
            }
        } catch (IOException e) {
            lines.accept("(cannot read the output: " + e.getMessage() + ")");
        }
        p.onExit().join();
    }

    /**
     * Waits up to {@code timeout} for the command to end and for its last line to be read; false if it is
     * still running.
     */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return false;
        }
        owner.join();
        return true;
    }

    /** Exit code of unshare, which is the command's; 128 + the signal's number when it was killed. */
    int exitValue() {
        return process.exitValue();
    }

    /**
     * Kills the command and everything it started unless they have ended, and waits until they have: the output
     * ends only when no process of the namespace is left to hold it open.
     */
    @Override
    public void close() {
        process.destroyForcibly();
        boolean interrupted = false;
        while (true) {
            try {
                process.waitFor();
                owner.join(NAMESPACE_END);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
