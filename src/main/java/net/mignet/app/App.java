package net.mignet.app;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.mignet.kernel.FreezerCgroup;
import net.mignet.kernel.ProcessTree;
import net.mignet.kernel.Signals;
import net.mignet.net.HostCondition;
import net.mignet.net.Host;
import net.mignet.topo.HostImage;
import net.mignet.topo.MigrationMethod;
import net.mignet.topo.ResourceLimits;

/**
 * A program running on an emulated host: a real process inside the host's network namespace, with its output
 * captured line by line with timestamps.
 */
public final class App {
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);
    /** What {@link #awaitExit()} returns when the process ended but its status cannot be known. */
    public static final int UNKNOWN_STATUS = -1;
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(2);

    private volatile String name;
    private final Host host;
    private final List<String> argv;
    private final AppProcess process;
    private volatile Instant started;
    private final AppLog log;
    private final AppIo io;
    /** Set when a restored copy took over: this one is over, whatever its pid does from now on. */
    private volatile boolean handedOver;
    /** The session the app leads: what it started is found through it, also after the app itself ended. */
    private final java.util.Optional<AppSession> session;
    private volatile MigrationMethod migration;
    /** The crash of its host that killed it, if one did. */
    private volatile net.mignet.net.HostFault crash;
    private final boolean ownPidNamespace;
    /** The host's memory kills before the app began (or, for a host without cgroups then, before it got one). */
    private volatile long oomKillsBefore;

    /** {@code oomKillsBefore}: its host's {@link Host#memoryKills}, read before the process began. */
    App(String name, Host host, List<String> argv, AppProcess process, AppLog log, AppIo io,
            boolean ownPidNamespace, long oomKillsBefore) {
        this.ownPidNamespace = ownPidNamespace;
        this.oomKillsBefore = oomKillsBefore;
        this.name = name;
        this.host = host;
        this.argv = List.copyOf(argv);
        this.process = process;
        this.started = Instant.now();
        this.session = AppSession.ledBy(process.pid());
        this.log = log;
        this.io = io;
        process.exit().thenRun(log::wakeAll);
        watchOom();
    }

    /**
     * From when its host has cgroups on: a SIGKILL that mignet did not send, while the host's memory kills went up
     * (they count its apps' cgroups' too), is the memory limit's. The baseline is the count before the process
     * began: a fast-growing program can be killed before this object exists.
     */
    private void watchOom() {
        if (oomKillsBefore >= 0) {
            oomVerdict = process.exit().thenApply(this::killedByMemoryLimit).exceptionally(e -> false);
        }
    }

    private boolean killedByMemoryLimit(java.util.OptionalInt status) {
        return status.isPresent() && status.getAsInt() == 128 + 9 && !killedByMignet
                && host.usage().map(u -> u.oomKills() > oomKillsBefore).orElse(false);
    }

    /** Null while nobody watches for memory kills (a host without cgroups). */
    private volatile java.util.concurrent.CompletableFuture<Boolean> oomVerdict;
    private volatile boolean killedByMignet;
    private volatile boolean stopAsked;

    /**
     * Whether the app ended by itself with a failure: a non-zero status that no stop, crash, memory limit or
     * checkpoint of mignet's explains. An experiment whose client died so must not pass.
     */
    public boolean failedByItself() {
        return !isRunning() && !handedOver && !stopAsked && crash == null && !oomKilled()
                && exitStatus().isPresent() && exitStatus().getAsInt() != 0;
    }

    /**
     * Whether the host's memory limit ended this app (the kernel's OOM killer chose it). Once the app has ended
     * this waits for the verdict, which reads the cgroups' kill counts just after the exit: whoever saw the exit
     * (e.g. {@link #awaitExit}) must not get an answer from before it.
     */
    public boolean oomKilled() {
        java.util.concurrent.CompletableFuture<Boolean> verdict = oomVerdict;
        return verdict != null && process.exit().isDone() && verdict.join();
    }

    /** CPU time and resident memory of the app's process now, while it runs. */
    public java.util.Optional<net.mignet.kernel.ProcessUsage> usage() {
        return isRunning() ? programPid().flatMap(net.mignet.kernel.ProcessUsage::of) : java.util.Optional.empty();
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

    /**
     * The pid, as mignet sees it, of the process that stands for the app: the program itself (started directly in
     * the host's network namespace, no wrapper stays), or, for an app with its own pid namespace, that namespace's
     * init ({@code tini}), which forwards every signal to the program and exits with its status, so signalling and
     * waiting for this pid is the same as for the program. The program's own pid: {@link #programPid()}.
     */
    public long pid() {
        return process.pid();
    }

    /**
     * The program's pid as mignet sees it: {@link #pid()}, or for an app with its own pid namespace the init's child
     * (empty once it ended).
     */
    public java.util.Optional<Long> programPid() {
        return ownPidNamespace ? net.mignet.kernel.PidNamespaceInit.programOf(pid())
                : isRunning() ? java.util.Optional.of(pid()) : java.util.Optional.empty();
    }

    /** Whether the app runs in a pid namespace of its own under an init (deployed with {@code --pid-ns}). */
    public boolean hasOwnPidNamespace() {
        return ownPidNamespace;
    }

    /** The options it was deployed with, e.g. for a successor that should run the same way. */
    public DeployOptions deployOptions() {
        return new DeployOptions(!io.terminals().isEmpty(), ownPidNamespace, image, limits());
    }

    /** The app's cgroup inside its host's, when it has limits of its own. */
    private volatile net.mignet.kernel.HostCgroup cgroup;

    /** Runs in {@code group} (its own, in its host's), which goes when the app has ended. */
    void inCgroup(net.mignet.kernel.HostCgroup group) {
        this.cgroup = group;
        if (oomKillsBefore < 0) {
            oomKillsBefore = host.memoryKills();
        }
        // The verdict is read before the cgroup goes (the host's count includes it until then), and off the thread
        // that saw the exit: removing a cgroup may wait for a dying process to leave it.
        java.util.concurrent.CompletableFuture<Boolean> verdict = process.exit().thenApplyAsync(
                this::killedByMemoryLimit).exceptionally(e -> false);
        oomVerdict = verdict;
        verdict.whenComplete((killed, e) -> {
            try {
                group.close();
            } catch (RuntimeException ex) {
                System.err.println("!!! " + name + ": " + ex.getMessage() + " (removed with its host)");
            }
        });
    }

    /** The limits of its own it was given ({@link ResourceLimits#NONE}: only its host's hold it). */
    public ResourceLimits limits() {
        net.mignet.kernel.HostCgroup g = cgroup;
        return g == null ? ResourceLimits.NONE : g.limits();
    }

    /** Its limits as they hold now: its own held within its host's (the host's may have been lowered since). */
    public ResourceLimits limitsInForce() {
        net.mignet.kernel.HostCgroup g = cgroup;
        return g == null ? ResourceLimits.NONE : g.limitsInForce();
    }

    /**
     * Changes this app's own limits at run time: the given ones replace the current ones (unset ones stay); they
     * must be within its host's. An app without limits of its own gets its cgroup now, with its processes.
     */
    public synchronized ResourceLimits limit(ResourceLimits changes) {
        if (!isRunning()) {
            throw new IllegalStateException(name + " is not running; limits are for running apps");
        }
        net.mignet.kernel.HostCgroup g = cgroup;
        if (g == null) {
            g = host.appCgroup(name, changes);
            for (long pid : ProcessTree.of(pid())) {
                try {
                    g.add(pid);
                } catch (IllegalStateException e) {
                    // It ended meanwhile.
                }
            }
            inCgroup(g);
            return g.limits();
        }
        ResourceLimits next = g.limits().with(changes);
        g.apply(next);
        return next;
    }

    /** CPU time, memory and memory-limit kills of its own cgroup (its processes together), if it has one. */
    public java.util.Optional<net.mignet.kernel.HostCgroup.Usage> cgroupUsage() {
        net.mignet.kernel.HostCgroup g = cgroup;
        return g == null || !isRunning() ? java.util.Optional.empty() : java.util.Optional.of(g.usage());
    }

    private volatile HostImage image;

    /** The image the app runs on in a container of its own, if any. */
    public java.util.Optional<HostImage> image() {
        return java.util.Optional.ofNullable(image);
    }

    App inImage(HostImage image) {
        this.image = image;
        return this;
    }

    /** Runs {@code action} once the app's process has ended. */
    void whenEnded(Runnable action) {
        process.exit().thenRun(action);
    }

    public Instant started() {
        return started;
    }

    /**
     * When its start began, before the process was spawned: a line it printed at once can be read and stamped
     * before this object exists, and a wait for it ({@code wait: log:...}) counts lines from here.
     */
    App startedAt(Instant begun) {
        this.started = begun;
        return this;
    }

    public AppLog log() {
        return log;
    }

    /**
     * The app's pseudo-terminals, in descriptor order (0, 1, 2), with what a checkpoint needs to re-attach
     * them; empty when it was deployed with pipes ({@code --no-tty}).
     */
    public List<AppTerminal> terminals() {
        return io.terminals();
    }

    AppIo io() {
        return io;
    }

    public AppState state() {
        if (crash != null) {
            return AppState.CRASHED;
        }
        if (!isRunning()) {
            return AppState.EXITED;
        }
        return host.condition() == HostCondition.FROZEN ? AppState.FROZEN : AppState.RUNNING;
    }

    /** The state as {@code apps} shows it: {@code running}, {@code frozen}, {@code exit 0}, {@code crashed (h2 crashed)}. */
    public String stateDescription() {
        return switch (state()) {
            case RUNNING -> "running";
            case FROZEN -> "frozen";
            case CRASHED -> "crashed (" + crash.host() + " crashed)";
            case EXITED -> exitStatus().isPresent() ? "exit " + exitStatus().getAsInt() : "ended";
        };
    }

    /** The crash of the host that killed this app, if one did. */
    public java.util.Optional<net.mignet.net.HostFault> crash() {
        return java.util.Optional.ofNullable(crash);
    }

    /** Its host crashed and took this app with it: it says so in its log. */
    void markCrashed(net.mignet.net.HostFault fault) {
        if (crash == null && !handedOver) {
            crash = fault;
            log.append(new LogLine(fault.at(), LogLine.Stream.STDERR, "*** mignet: " + name + " crashed: its host "
                    + fault.host() + " crashed (crash " + fault.host() + ": every process killed, interfaces down)"));
        }
    }

    public boolean isRunning() {
        return !handedOver && process.isAlive();
    }

    /**
     * The exit status once the app has ended: its exit code, or 128 + the signal number when a signal ended
     * it (the shell's convention). Empty while it runs, and when the status cannot be known (a process that
     * was not the JVM's child; an instance whose restored copy took over).
     */
    public OptionalInt exitStatus() {
        if (handedOver || !process.exit().isDone()) {
            return OptionalInt.empty();
        }
        return process.exit().join();
    }

    /**
     * Writes one line to the app's standard input: the control channel of the built-in services (e.g.
     * {@code handover}). Programs that do not read their input ignore it.
     */
    public void sendLine(String line) {
        try {
            io.sendLine(line);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot write to " + name + ": " + e.getMessage()
                    + (isRunning() ? "" : " (it has exited)"), e);
        }
    }

    /** Completes when the process has ended, with its exit status when it can be known. */
    CompletableFuture<OptionalInt> exited() {
        return process.exit();
    }

    /** Sends SIGTERM without waiting, e.g. to make a service hand its state over. */
    public void terminate() {
        if (!handedOver) {
            process.terminate();
        }
    }

    /** Sends signal {@code number} (e.g. 10 for SIGUSR1); false when the app has exited. */
    public boolean signal(int number) {
        return isRunning() && Signals.send(pid(), number);
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

    /**
     * SIGTERM, then SIGKILL if the app is still running after {@code grace}; then the processes it started that are
     * still running (its session's), SIGTERM and SIGKILL 2 s later. Returns the app's exit status.
     */
    public int stop(Duration grace) {
        stopAsked = true;
        if (isRunning() && host.condition() == HostCondition.FROZEN) {
            // A frozen process handles no signal, not even SIGKILL: kill it and let it out of the freezer to die.
            process.kill();
            FreezerCgroup.release(ProcessTree.of(pid()));
        } else if (isRunning()) {
            terminate();
            if (!programEnded(grace) && !handedOver) {
                killedByMignet = true;
                process.kill();
            }
        }
        if (!handedOver && session.isPresent() && programEnded(DRAIN_TIMEOUT)) {
            // Before the output is awaited: a child still running holds the app's terminal or pipe open.
            try {
                session.get().endTheRest();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return awaitExit();
    }

    /** Whether the program's process has ended within {@code timeout} (its output may still be on its way). */
    private boolean programEnded(Duration timeout) {
        try {
            process.exit().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    public int stop() {
        return stop(DEFAULT_GRACE);
    }

    /**
     * Waits for the app to end by itself and for its last output lines to be captured; returns its exit status,
     * or {@link #UNKNOWN_STATUS}.
     */
    public int awaitExit() {
        if (handedOver) {
            return UNKNOWN_STATUS;
        }
        try {
            OptionalInt status = process.exit().get();
            io.awaitDrained(DRAIN_TIMEOUT);
            return status.orElse(UNKNOWN_STATUS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot wait for " + name + ": " + e.getCause().getMessage(), e);
        }
    }

    /** Waits up to {@code timeout} for the app to end; true when it has (its output is then in the log). */
    public boolean awaitExit(Duration timeout) {
        if (handedOver) {
            return true;
        }
        if (!programEnded(timeout)) {
            return false;
        }
        io.awaitDrained(DRAIN_TIMEOUT);
        return true;
    }

    /**
     * This instance was checkpointed and a restored copy carries on (CRIU killed this process): from now on it
     * counts as ended and never signals its old pid, which the restored copy may well have again.
     */
    void markHandedOver() {
        handedOver = true;
        log.wakeAll();
    }

    @Override
    public String toString() {
        return name + " on " + host.name() + " pid " + pid() + " " + state()
                + exitStatus().stream().mapToObj(s -> " (status " + s + ")").findFirst().orElse("")
                + (crash == null ? "" : " (" + crash.host() + " crashed)");
    }
}
