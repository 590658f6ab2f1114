package net.mignet.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A criu process that keeps running while others work with it: a page server, a lazy-pages daemon, or a dump
 * serving pages lazily. It is started with {@code --status-fd 1}, so criu writes one zero byte to its standard
 * output when it is ready to be talked to; {@link #awaitReady} waits for exactly that.
 * Closing it stops criu if it still runs (SIGTERM, then SIGKILL).
 */
public final class CriuProcess implements AutoCloseable {
    private static final Duration STOP_GRACE = Duration.ofSeconds(2);

    private final String what;
    private final Process process;
    private final Path log;
    private final CompletableFuture<Boolean> ready = new CompletableFuture<>();
    private final StringBuffer stderr = new StringBuffer();

    private CriuProcess(String what, Process process, Path log) {
        this.what = what;
        this.process = process;
        this.log = log;
        Thread.ofVirtual().name("criu-status-" + process.pid()).start(this::readStatus);
        Thread.ofVirtual().name("criu-stderr-" + process.pid()).start(this::readStderr);
    }

    static CriuProcess start(String what, List<String> argv, Path log) {
        try {
            return new CriuProcess(what, new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(
                    Path.of("/dev/null").toFile())).start(), log);
        } catch (IOException e) {
            throw new CommandException("cannot start " + what + " (" + argv.getFirst() + "): " + e.getMessage(), e);
        }
    }

    private void readStatus() {
        try (InputStream in = process.getInputStream()) {
            int first = in.read();
            ready.complete(first == 0);
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            ready.complete(false);
        }
    }

    private void readStderr() {
        try (InputStream in = process.getErrorStream()) {
            stderr.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            stderr.append("(cannot read standard error: ").append(e.getMessage()).append(')');
        }
    }

    /** Returns once criu is ready; throws when it ended before, or is not ready within {@code timeout}. */
    public CriuProcess awaitReady(Duration timeout) {
        try {
            if (!ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                waitQuietly(Duration.ofSeconds(5));
                throw new CriuException(what + " ended before it was ready" + exitText() + stderrText(), log);
            }
            return this;
        } catch (TimeoutException e) {
            throw new CriuException(what + " was not ready within " + timeout.toMillis() + " ms" + stderrText(), log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Waits until criu ends by itself (e.g. once every page was sent); throws unless it ended well. */
    public void awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new CriuException(what + " did not finish within " + timeout.toMillis() + " ms", log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
        if (process.exitValue() != 0) {
            throw new CriuException(what + " failed" + exitText() + stderrText(), log);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Its log file. */
    public Path log() {
        return log;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            if (!waitQuietly(STOP_GRACE)) {
                process.destroyForcibly();
                waitQuietly(STOP_GRACE);
            }
        }
    }

    private boolean waitQuietly(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String exitText() {
        return process.isAlive() ? "" : " (exit " + process.exitValue() + ")";
    }

    private String stderrText() {
        String text = stderr.toString().strip();
        return text.isEmpty() ? "" : ": " + text;
    }

    @Override
    public String toString() {
        return what + " (pid " + process.pid() + ")";
    }
}
