package net.mignet.experiment;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import net.mignet.app.App;
import net.mignet.app.AppConditions;
import net.mignet.app.AppManager;
import net.mignet.app.DeployOptions;
import net.mignet.apps.BuiltinApps;
import net.mignet.net.Host;
import net.mignet.topo.AppSpec;
import net.mignet.topo.Lab;

/** Deploys apps by command line, built-in programs by their name, and the apps of a topology file. */
public final class LabApps {
    private LabApps() {
    }

    /** Deploys {@code command}; a built-in program's name as the first word starts it with its fast launcher. */
    public static App deploy(AppManager apps, String name, Host host, List<String> command, DeployOptions options) {
        Optional<Class<?>> builtin = BuiltinApps.mainClass(command.getFirst());
        return builtin.isPresent()
                ? apps.deployJava(name, host, builtin.get(), command.subList(1, command.size()), options)
                : apps.deploy(name, host, command, options);
    }

    /**
     * Starts the apps of the file's {@code apps:} section in order (but those a timeline step deploys), each
     * with the migration it declares.
     */
    public static void deployAll(AppManager apps, Lab lab, PrintStream out) throws InterruptedException {
        for (AppSpec spec : lab.appsAtStart()) {
            deploy(apps, spec, out);
        }
    }

    /** Starts one app of a topology file and awaits what its {@code wait:} names. */
    public static App deploy(AppManager apps, AppSpec spec, PrintStream out) throws InterruptedException {
        Instant started = Instant.now();
        App app = deploy(apps, spec.name(), apps.emulation().host(spec.host()), spec.command(),
                new DeployOptions(spec.tty(), spec.pidNamespace(), spec.image(), spec.limits()));
        if (spec.migration() != null) {
            app.migratesBy(spec.migration());
        }
        out.println("*** deployed " + app);
        try {
            AppConditions.await("wait", spec.startedWhen(), app, started, spec.startTimeout());
        } catch (IllegalStateException e) {
            if (!app.isRunning()) {
                throw new IllegalStateException("app '" + spec.name() + "': " + e.getMessage(), e);
            }
            long longer = Math.max(1, spec.startTimeout().multipliedBy(3).toSeconds());
            throw new IllegalStateException("app '" + spec.name() + "': " + e.getMessage() + "; if it only needs"
                    + " longer, give it 'wait: {until: " + spec.startedWhen() + ", timeout: " + longer + "s}'", e);
        }
        return app;
    }
}
