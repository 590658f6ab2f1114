package net.mignet.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import net.mignet.image.BuildFailure;
import net.mignet.kernel.HostCgroup;
import net.mignet.kernel.ProcessTree;
import net.mignet.image.ImageCache;
import net.mignet.net.Emulation;
import net.mignet.net.Faults;
import net.mignet.net.HostCondition;
import net.mignet.net.HostFault;
import net.mignet.net.EmulationEvents;
import net.mignet.net.Host;
import net.mignet.topo.Names;
import net.mignet.topo.HostImage;
import net.mignet.topo.MigrationMethod;
import net.mignet.topo.NodeKind;

/** Deploys programs on the hosts of one emulation and keeps track of them. */
public final class AppManager implements AutoCloseable {
    private final Emulation emulation;
    private final Map<String, App> apps = new LinkedHashMap<>();
    private final Faults.Subscription crashes;
    private final Emulation.ShutdownAction onSignal;

    public AppManager(Emulation emulation) {
        this.emulation = emulation;
        this.crashes = emulation.faults().listen(this::hostFault);
        // Stopped by a signal, the apps end before whatever was opened before them (a recorder) reads them.
        this.onSignal = emulation.onShutdown(this::close);
    }

    /** Apps killed by their host's crash are shown as crashed, and say so in their logs. */
    private void hostFault(HostFault fault) {
        if (fault.kind() == HostFault.Kind.CRASHED) {
            for (App app : apps()) {
                if (app.host().name().equals(fault.host()) && fault.pids().contains(app.pid())) {
                    app.markCrashed(fault);
                }
            }
        }
    }

    /**
     * Starts {@code argv} on {@code host} as an app named {@code name}, with pseudo-terminals as standard input,
     * output and error; names are unique among live apps.
     */
    public App deploy(String name, Host host, List<String> argv) {
        return deploy(name, host, argv, DeployOptions.DEFAULT);
    }

    /**
     * Starts {@code argv} inside {@code host}'s network namespace (only that one: no mount namespace of its own,
     * so CRIU can checkpoint it) as an app named {@code name}.
     */
    public synchronized App deploy(String name, Host host, List<String> argv, DeployOptions options) {
        String nameProblem = Names.appNameProblem(name);
        if (nameProblem != null) {
            throw new IllegalArgumentException(nameProblem);
        }
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("no command given for app '" + name + "'");
        }
        requireNotANode(name);
        if (host.condition() != HostCondition.UP) {
            throw new IllegalStateException("cannot start " + name + " on " + host.name() + ": it is "
                    + host.condition().word() + " (" + (host.condition() == HostCondition.FROZEN ? "thaw" : "restart")
                    + " " + host.name() + " first)");
        }
        App existing = apps.get(name);
        if (existing != null && existing.isRunning()) {
            throw new IllegalStateException("an app named '" + name + "' is already running on "
                    + existing.host().name() + "; stop or remove it first, or pick another name");
        }
        if (existing != null) {
            apps.remove(name);
            release(existing);
        }
        Path logFile = freshLogFile(emulation.id().stateDirectory().resolve("apps"), name);
        AppLog log;
        try {
            log = new AppLog(logFile);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the log " + logFile + " of " + name + ": " + e.getMessage(),
                    e);
        }
        HostCgroup own = null;
        long oomKillsBefore = host.memoryKills();
        Instant begun = Instant.now();
        try {
            // An app with limits of its own runs in a cgroup of its own inside its host's, else in the host's.
            own = options.limits().isEmpty() ? null : host.appCgroup(name, options.limits());
            HostCgroup group = own != null ? own : host.cgroup().orElse(null);
            App app = options.image() != null ? startInContainer(name, host, group, argv, log, options.image(), oomKillsBefore)
                    : options.tty() ? startWithTerminals(name, host, group, argv, log, options.pidNamespace(),
                            oomKillsBefore)
                    : startWithPipes(name, host, group, argv, log, oomKillsBefore);
            app.startedAt(begun);
            if (own != null) {
                app.inCgroup(own);
            }
            apps.put(name, app);
            announce(app);
            return app;
        } catch (RuntimeException | IOException e) {
            log.close();
            if (own != null) {
                own.close();
            }
            String why = String.valueOf(e.getMessage());
            // EAGAIN from fork is what a full pids limit looks like; name the limit, not just the errno.
            long pids = options.limits().pids() > 0 ? options.limits().pids() : host.limits().pids();
            String hint = why.contains("Resource temporarily unavailable") && pids > 0
                    ? " (the pids limit, " + pids + " processes, may be reached: see info " + host.name() + ")" : "";
            throw new IllegalStateException("cannot start " + String.join(" ", argv) + " on " + host.name() + ": "
                    + why + hint, e);
        }
    }

    private static App startWithTerminals(String name, Host host, HostCgroup group, List<String> argv, AppLog log,
            boolean pidNamespace, long oomKillsBefore) {
        TerminalIo io = TerminalIo.open(name, log);
        try {
            long pid = pidNamespace ? host.spawnInOwnPidNamespaceIn(group, argv, System.getenv(), io.childStdio())
                    : host.spawnIn(group, argv, System.getenv(), io.childStdio());
            return new App(name, host, argv, AppProcess.adopt(pid), log, io, pidNamespace, oomKillsBefore);
        } catch (RuntimeException e) {
            io.close();
            throw e;
        }
    }

    /**
     * An app named like a node would be shadowed by it wherever a command takes either ({@code limit h2 ...}, {@code
     * info}): the node would be changed, not the app.
     */
    private void requireNotANode(String name) {
        emulation.topology().kindOf(name).ifPresent(kind -> {
            throw new IllegalArgumentException("app name '" + name + "' is the name of " + (kind == NodeKind.HOST
                    ? "host " : "switch ") + name + ", which commands such as 'limit " + name + "' would reach"
                    + " instead; give the app its own name");
        });
    }

    /** An app container: the app's image, built or unpacked first if the cache lacks it, as its own root. */
    private App startInContainer(String name, Host host, HostCgroup group, List<String> argv, AppLog log,
            HostImage image, long oomKillsBefore) {
        Path root;
        try {
            root = ImageCache.system(System.err::println).rootfs(image);
        } catch (BuildFailure e) {
            throw new IllegalStateException("cannot make image " + image + ": " + e.getMessage(), e);
        }
        Path state = emulation.id().stateDirectory().resolve("apps").resolve(name + "-" + System.nanoTime());
        TerminalIo io = TerminalIo.open(name, log);
        try {
            long pid = host.spawnContainerIn(group, root, state, argv, System.getenv(), io.childStdio());
            App app = new App(name, host, argv, AppProcess.adopt(pid), log, io, false, oomKillsBefore)
                    .inImage(image);
            // The app's writable layer goes with it: nothing else uses it.
            app.whenEnded(() -> net.mignet.kernel.FileTrees.delete(state));
            return app;
        } catch (RuntimeException e) {
            io.close();
            throw e;
        }
    }

    private static App startWithPipes(String name, Host host, HostCgroup group, List<String> argv, AppLog log,
            long oomKillsBefore) throws IOException {
        // A session of its own, as the terminals give the other apps: what it starts is found, and ended with it,
        // through that session; and a Ctrl-C at mignet's terminal is not its. setsid comes after the namespaces
        // are entered (it execs, keeping the pid), so that a process still entering them is seen as the host's.
        List<String> inSession = new ArrayList<>(List.of("setsid"));
        inSession.addAll(argv);
        Process process = new ProcessBuilder(host.enterArgv(group, inSession)).start();
        return new App(name, host, argv, AppProcess.of(process), log, new PipeIo(name, process, log), false,
                oomKillsBefore);
    }

    public App deploy(String name, String hostName, List<String> argv) {
        return deploy(name, emulation.host(hostName), argv);
    }

    /** Starts a built-in Java program (a class with a {@code main}) on a host, with a fast-starting JVM. */
    public App deployJava(String name, Host host, Class<?> mainClass, List<String> args) {
        return deployJava(name, host, mainClass, args, DeployOptions.DEFAULT);
    }

    public App deployJava(String name, Host host, Class<?> mainClass, List<String> args, DeployOptions options) {
        App app = deploy(name, host, JavaLauncher.argv(mainClass, args), options);
        declaredMigration(mainClass).ifPresent(app::migratesBy);
        return app;
    }

    /**
     * How a Java program says it migrates, like a user's app does in the topology file: a {@code public static
     * final MigrationMethod MIGRATION} field of its main class.
     */
    static Optional<MigrationMethod> declaredMigration(Class<?> mainClass) {
        try {
            java.lang.reflect.Field f = mainClass.getField("MIGRATION");
            if (java.lang.reflect.Modifier.isStatic(f.getModifiers()) && f.get(null) instanceof MigrationMethod m) {
                return Optional.of(m);
            }
        } catch (NoSuchFieldException | IllegalAccessException e) {
            // It declares nothing: it migrates by checkpoint.
        }
        return Optional.empty();
    }

    public Emulation emulation() {
        return emulation;
    }

    /**
     * After a migration: forgets {@code old} (stopped) and lets {@code successor} carry its name, so that
     * {@code logs}, {@code stop} and the next migration find the service where it runs now.
     */
    public synchronized void replace(App old, App successor) {
        if (old.isRunning()) {
            throw new IllegalStateException(old + " still runs; stop it before it is replaced");
        }
        String name = old.name();
        apps.remove(name, old);
        apps.remove(successor.name(), successor);
        release(old);
        successor.rename(name);
        if (successor.migrationMethod().isEmpty()) {
            old.migrationMethod().ifPresent(successor::migratesBy);
        }
        apps.put(name, successor);
    }

    /**
     * After a checkpoint and restore: the process {@code newPid} on {@code newHost} is a restored copy of
     * {@code old} (a child of the JVM through {@code criu restore --restore-sibling}, or any process: then its exit
     * status is unknown). Returns the app that stands for it from now on: the same name, command line,
     * terminals and log, so {@code logs} goes on where it was. {@code old} counts as ended from now on and is
     * never signalled again (CRIU has already killed its process, and the copy may have its pid).
     *
     * <p>The way through CRIU (measured with criu 4.2.1): dump from inside the source host's namespace with
     * {@code --shell-job} (the app leads its own session, so its session leader is always inside the dump) and {@code --external
     * KEY} for each of {@link App#terminals()}; then {@code old.awaitExit(...)}, which reaps the old process so
     * that its pid is free for the copy; then restore inside the target's namespace with {@code --shell-job
     * --restore-detached --restore-sibling --pidfile FILE} and {@code --inherit-fd fd[N]:KEY} for each terminal,
     * handing criu {@link AppTerminal#mignetFd()} as its descriptor N (e.g. with {@code kernel.ChildSpawn}).
     * An app with its own pid namespace is dumped from its init ({@link App#pid()}) and restored into a new pid
     * namespace, so {@code newPid} is the copy's init as this process sees it.
     */
    public synchronized App adoptRestored(App old, Host newHost, long newPid) {
        if (apps.get(old.name()) != old) {
            throw new IllegalStateException(old + " is not a current app of this manager; adopt a restored copy"
                    + " only for the app that was checkpointed");
        }
        old.markHandedOver();
        App restored = new App(old.name(), newHost, old.argv(), AppProcess.adopt(newPid), old.log(), old.io(),
                old.hasOwnPidNamespace(), newHost.memoryKills());
        apps.put(old.name(), restored);
        if (!old.limits().isEmpty()) {
            // The app's own cgroup, made anew inside the target host's: the tree moves in with its limits.
            restored.limit(old.limits());
        } else {
            // criu puts the copy back into the cgroups it was dumped from, its old host's, whose limits it kept
            // (a memory limit of the old host killed it on the new one): it belongs to its new host's.
            for (long pid : ProcessTree.of(newPid)) {
                try {
                    newHost.cgroup().ifPresentOrElse(g -> g.add(pid), () -> HostCgroup.moveToOwn(pid));
                } catch (IllegalStateException e) {
                    if (ProcessHandle.of(pid).isPresent()) {
                        throw e;
                    } // else it ended meanwhile
                }
            }
        }
        announce(restored);
        return restored;
    }

    /** Tells the emulation's record that {@code app} started, and later that it ended. */
    private void announce(App app) {
        EmulationEvents events = emulation.events();
        events.publish("app-started", app, "app", app.name(), "host", app.host().name(), "pid", app.pid(),
                "command", String.join(" ", app.argv()));
        app.exited().thenAccept(status -> events.publish("app-exited", app, "app", app.name(), "host",
                app.host().name(), "pid", app.pid(), "status", status.isPresent() ? status.getAsInt() : "unknown"));
    }

    public synchronized Optional<App> find(String name) {
        return Optional.ofNullable(apps.get(name));
    }

    public synchronized App get(String name) {
        App app = apps.get(name);
        if (app == null) {
            throw new NoSuchElementException("no app named '" + name + "' (apps: " + String.join(", ", apps.keySet())
                    + ")");
        }
        return app;
    }

    public synchronized Collection<App> apps() {
        return List.copyOf(apps.values());
    }

    /** Stops the app if it runs and forgets it; returns its exit status. */
    public int remove(String name) {
        App app = get(name);
        int status = app.stop();
        synchronized (this) {
            apps.remove(name, app);
        }
        release(app);
        return status;
    }

    /**
     * {@code NAME.log}, or {@code NAME.2.log}, ... when an earlier instance of that name (stopped, or a migration's
     * successor now running under the service's name) wrote one: its log stays readable.
     */
    private static Path freshLogFile(Path dir, String name) {
        Path file = dir.resolve(name + ".log");
        for (int n = 2; Files.exists(file); n++) {
            file = dir.resolve(name + "." + n + ".log");
        }
        return file;
    }

    /** Closes an app's terminals (or pipes) and its log; its output has been read when it ended. */
    private static void release(App app) {
        app.io().close();
        app.log().close();
    }

    /** Stops every app: SIGTERM to all at once, then SIGKILL to those still running after the grace period. */
    @Override
    public void close() {
        onSignal.close();
        crashes.close();
        List<App> running = new ArrayList<>(apps().stream().filter(App::isRunning).toList());
        running.forEach(App::terminate);
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        for (App app : running) {
            long left = Math.max(0, deadline - System.nanoTime());
            app.stop(Duration.ofNanos(left));
        }
        apps().forEach(AppManager::release);
    }
}
