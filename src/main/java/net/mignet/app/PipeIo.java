package net.mignet.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Standard streams as pipes of a {@link Process} ({@code --no-tty}): read line by line until end of file. */
final class PipeIo implements AppIo {
    private final Process process;
    private final Thread stdoutReader;
    private final Thread stderrReader;

    PipeIo(String name, Process process, AppLog log) {
        this.process = process;
        this.stdoutReader = capture(name, process.getInputStream(), LogLine.Stream.STDOUT, log);
        this.stderrReader = capture(name, process.getErrorStream(), LogLine.Stream.STDERR, log);
    }

    private static Thread capture(String name, InputStream stream, LogLine.Stream which, AppLog log) {
        return Thread.ofVirtual().name("app-" + name + "-" + which).start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    log.append(new LogLine(Instant.now(), which, line));
                }
            } catch (IOException e) {
                // The pipe closed: the app (or mignet's side) is gone.
            }
        });
    }

    @Override
    public void sendLine(String line) {
        synchronized (process) {
            try {
                OutputStream in = process.getOutputStream();
                in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
            } catch (IOException e) {
                throw new IllegalStateException("cannot write: " + e.getMessage()
                        + (process.isAlive() ? "" : " (it has exited)"), e);
            }
        }
    }

    @Override
    public boolean awaitDrained(Duration timeout) {
        try {
            return stdoutReader.join(timeout) && stderrReader.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public List<AppTerminal> terminals() {
        return List.of();
    }

    /** The readers end by themselves at end of file; the JVM closes the pipes when the process is gone. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // Already closed.
        }
    }
}
