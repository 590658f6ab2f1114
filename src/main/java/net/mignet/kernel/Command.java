package net.mignet.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program with an argument vector, never through a shell, so no name or address given by a user can
 * be interpreted as shell syntax.
 */
public final class Command {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private Command() {
    }

    public static CommandResult run(List<String> argv) {
        return run(argv, null, DEFAULT_TIMEOUT);
    }

    /** Runs and throws {@link CommandException} unless the exit code is 0. */
    public static CommandResult check(List<String> argv) {
        return run(argv, null, DEFAULT_TIMEOUT).orThrow();
    }

    public static CommandResult check(List<String> argv, String stdin) {
        return run(argv, stdin, DEFAULT_TIMEOUT).orThrow();
    }

    /**
     * Runs {@code argv}, feeding {@code stdin} (may be null) and collecting both outputs. A command still
     * running after {@code timeout} is killed and reported with exit code 124, like coreutils' timeout.
     */
    public static CommandResult run(List<String> argv, String stdin, Duration timeout) {
        Process process;
        try {
            process = new ProcessBuilder(argv).start();
        } catch (IOException e) {
            throw new CommandException("cannot run " + argv.getFirst() + ": " + e.getMessage()
                    + " (is it installed? run the set-up: see README)", e);
        }
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // The program exited without reading all its input; its exit code tells what happened.
        }
        try {
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.destroyForcibly();
                process.waitFor();
                return new CommandResult(argv, 124, out.get(), err.get() + "\ntimed out after " + timeout);
            }
            return new CommandResult(argv, process.exitValue(), out.get(), err.get());
        } catch (InterruptedException e) {
            // Its children too: a wrapper that forks (nsenter into a PID namespace) would leave the program running.
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandException("interrupted while running " + String.join(" ", argv), e);
        } catch (ExecutionException e) {
            throw new CommandException("cannot read output of " + String.join(" ", argv), e.getCause());
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (stream) {
                result.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                result.completeExceptionally(new UncheckedIOException(e));
            }
        });
        return result;
    }
}
