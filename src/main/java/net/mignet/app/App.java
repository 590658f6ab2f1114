package net.mignet.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import net.mignet.kernel.Signals;
import net.mignet.net.Host;
import net.mignet.topo.MigrationMethod;

/**
 * A program running on an emulated host: a real process inside the host's namespace, with its output captured
 * line by line with timestamps.
 */
public final class App {
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);

    private volatile String name;
    private final Host host;
    private final List<String> argv;
    private final Process process;
    private final Instant started;
    private final AppLog log;
    private final Thread stdoutReader;
    private final Thread stderrReader;
    private volatile MigrationMethod migration;

    App(String name, Host host, List<String> argv, Process process, AppLog log) {
        this.name = name;
        this.host = host;
        this.argv = List.copyOf(argv);
        this.process = process;
        this.started = Instant.now();
        this.log = log;
        this.stdoutReader = capture(process.getInputStream(), LogLine.Stream.STDOUT);
        this.stderrReader = capture(process.getErrorStream(), LogLine.Stream.STDERR);
        process.onExit().thenRun(log::wakeAll);
    }

    private Thread capture(InputStream stream, LogLine.Stream which) {
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

    public String name() {
        return name;
    }

    /** A successor takes over the name of the instance it replaced. */
    void rename(String newName) {
        this.name = newName;
    }

    public Host host() {
        return host;
    }

    public List<String> argv() {
        return argv;
    }

    /** The pid of the program itself ({@code ip netns exec} replaces itself with the program). */
    public long pid() {
        return process.pid();
    }

    public Instant started() {
        return started;
    }

    public AppLog log() {
        return log;
    }

    public AppState state() {
        return process.isAlive() ? AppState.RUNNING : AppState.EXITED;
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /**
     * The exit status once the app has ended: its exit code, or 128 + the signal number when a signal ended
     * it (the shell's convention).
     */
    public OptionalInt exitStatus() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /**
     * Writes one line to the app's standard input: the control channel of the built-in services (e.g.
     * {@code handover}). Programs that do not read their input ignore it.
     */
    public void sendLine(String line) {
        synchronized (process) {
            try {
                java.io.OutputStream in = process.getOutputStream();
                in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
            } catch (IOException e) {
                throw new IllegalStateException("cannot write to " + name + ": " + e.getMessage()
                        + (process.isAlive() ? "" : " (it has exited)"), e);
            }
        }
    }

    /**
     * Sends SIGTERM without waiting, e.g. to make a service hand its state over. Signals go through the
     * process handle: {@link Process#destroy()} also closes the pipes, which would lose the app's last words
     * and kill it with SIGPIPE when it prints them.
     */
    public void terminate() {
        process.toHandle().destroy();
    }

    /** Sends signal {@code number} (e.g. 10 for SIGUSR1); false when the app has exited. */
    public boolean signal(int number) {
        return process.isAlive() && Signals.send(pid(), number);
    }

    /** How this app moves to another host, or empty: by checkpoint when available. */
    public java.util.Optional<MigrationMethod> migrationMethod() {
        return java.util.Optional.ofNullable(migration);
    }

    /** Declares how this app migrates (a recipe, mignet's handover protocol, or checkpoint). */
    public App migratesBy(MigrationMethod method) {
        this.migration = method;
        return this;
    }

    /** SIGTERM, then SIGKILL if the app is still running after {@code grace}; returns the exit status. */
    public int stop(Duration grace) {
        if (process.isAlive()) {
            terminate();
            try {
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.toHandle().destroyForcibly();
                    process.waitFor();
                }
            } catch (InterruptedException e) {
                process.toHandle().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        return awaitExit();
    }

    public int stop() {
        return stop(DEFAULT_GRACE);
    }

    /** Waits for the app to end by itself and for its last output lines to be captured. */
    public int awaitExit() {
        try {
            int status = process.waitFor();
            stdoutReader.join(Duration.ofSeconds(2));
            stderrReader.join(Duration.ofSeconds(2));
            return status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
    }

    public boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String toString() {
        return name + " on " + host.name() + " pid " + pid() + " " + state()
                + exitStatus().stream().mapToObj(s -> " (status " + s + ")").findFirst().orElse("");
    }
}
