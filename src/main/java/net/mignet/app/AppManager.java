package net.mignet.app;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import net.mignet.net.Emulation;
import net.mignet.net.Host;
import net.mignet.topo.MigrationMethod;

/** Deploys programs on the hosts of one emulation and keeps track of them. */
public final class AppManager implements AutoCloseable {
    private final Emulation emulation;
    private final Map<String, App> apps = new LinkedHashMap<>();

    public AppManager(Emulation emulation) {
        this.emulation = emulation;
    }

    /** Starts {@code argv} on {@code host} as an app named {@code name}; names are unique among live apps. */
    public synchronized App deploy(String name, Host host, List<String> argv) {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
            throw new IllegalArgumentException("app name '" + name + "' must be letters, digits, '_', '.', '-'");
        }
        App existing = apps.get(name);
        if (existing != null && existing.isRunning()) {
            throw new IllegalStateException("an app named '" + name + "' is already running on "
                    + existing.host().name() + "; stop or remove it first, or pick another name");
        }
        Path logFile = emulation.id().stateDirectory().resolve("apps").resolve(name + ".log");
        try {
            AppLog log = new AppLog(logFile);
            Process process = host.processBuilder(argv).start();
            App app = new App(name, host, argv, process, log);
            apps.put(name, app);
            return app;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + String.join(" ", argv) + " on " + host.name() + ": "
                    + e.getMessage(), e);
        }
    }

    public App deploy(String name, String hostName, List<String> argv) {
        return deploy(name, emulation.host(hostName), argv);
    }

    /** Starts a built-in Java program (a class with a {@code main}) on a host, with a fast-starting JVM. */
    public App deployJava(String name, Host host, Class<?> mainClass, List<String> args) {
        App app = deploy(name, host, JavaLauncher.argv(mainClass, args));
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
        old.log().close();
        successor.rename(name);
        if (successor.migrationMethod().isEmpty()) {
            old.migrationMethod().ifPresent(successor::migratesBy);
        }
        apps.put(name, successor);
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
        app.log().close();
        return status;
    }

    /** Stops every app: SIGTERM to all at once, then SIGKILL to those still running after the grace period. */
    @Override
    public void close() {
        List<App> running = new ArrayList<>(apps().stream().filter(App::isRunning).toList());
        running.forEach(App::terminate);
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        for (App app : running) {
            long left = Math.max(0, deadline - System.nanoTime());
            app.stop(Duration.ofNanos(left));
        }
        apps().forEach(a -> a.log().close());
    }
}
