package net.mignet.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import net.mignet.app.App;
import net.mignet.app.AppManager;
import net.mignet.kernel.HostCgroup;
import net.mignet.net.Emulation;
import net.mignet.net.Host;
import net.mignet.topo.ResourceLimits;

/** The shell's {@code limit} and {@code info} verbs: the resource limits, image and use of a host and its apps. */
final class LimitCommands {
    static final String LIMIT_USAGE = "limit <host|app> [<app>] [cpu=<cores>] [memory=<size>] [pids=<n>]";
    static final String INFO_USAGE = "info <host>";

    private final Emulation net;
    private final AppManager apps;

    LimitCommands(Emulation net, AppManager apps) {
        this.net = net;
        this.apps = apps;
    }

    void registerAll(Shell shell) {
        shell.register(new ShellCommand("limit", LIMIT_USAGE, "change the cgroup limits of a host or of an app (an"
                + " app's within its host's) at run time, e.g. limit h2 cpu=0.5 memory=256m pids=100, limit web"
                + " memory=64m, limit h2 web cpu=0.2 (cpu in cores; without limits: show them)", this::limit));
        shell.register(new ShellCommand("info", INFO_USAGE, "a host's image, namespaces, limits and CPU and memory"
                + " use, with its apps' own limits", this::info));
    }

    private void limit(List<String> args, PrintStream out) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("usage: " + LIMIT_USAGE);
        }
        Optional<Host> host = net.hosts().stream().filter(h -> h.name().equals(args.getFirst())).findFirst();
        boolean appAfterHost = host.isPresent() && args.size() > 1 && !args.get(1).contains("=");
        if (host.isEmpty() || appAfterHost) {
            String name = appAfterHost ? args.get(1) : args.getFirst();
            App app = apps.find(name).orElseThrow(() -> new IllegalArgumentException("'" + name + "' is neither a"
                    + " host (" + String.join(", ", net.hosts().stream().map(Host::name).toList()) + ") nor an app ("
                    + (apps.apps().isEmpty() ? "there are none"
                            : String.join(", ", apps.apps().stream().map(App::name).toList()))
                    + "); usage: " + LIMIT_USAGE));
            if (appAfterHost && !app.host().name().equals(host.get().name())) {
                throw new IllegalArgumentException(name + " runs on " + app.host().name() + ", not on "
                        + host.get().name());
            }
            List<String> words = args.subList(appAfterHost ? 2 : 1, args.size());
            if (!words.isEmpty()) {
                app.limit(ResourceLimits.parse(words));
            }
            out.println(describe(app));
            return;
        }
        Host h = host.get();
        if (args.size() > 1) {
            h.limit(ResourceLimits.parse(args.subList(1, args.size())));
        }
        out.println(h.name() + ": " + h.limits());
        for (App app : appsWithLimits(h)) {
            out.println("  " + describe(app));
        }
    }

    /**
     * {@code web on h2: cpu=0.8 memory=32m (held to cpu=0.5 by its host's; its host's pids=200 too)}: what its
     * host's limits change of its own, tighter values and limits it does not set itself apart.
     */
    static String describe(App app) {
        ResourceLimits own = app.limits();
        if (own.isEmpty()) {
            return app.name() + " on " + app.host().name() + ": none of its own (its host's hold it)";
        }
        ResourceLimits force = app.limitsInForce();
        ResourceLimits tighter = new ResourceLimits(own.cpu() != 0 && force.cpu() < own.cpu() ? force.cpu() : 0,
                own.memory() != 0 && force.memory() < own.memory() ? force.memory() : 0,
                own.pids() != 0 && force.pids() < own.pids() ? force.pids() : 0);
        ResourceLimits added = new ResourceLimits(own.cpu() == 0 ? force.cpu() : 0,
                own.memory() == 0 ? force.memory() : 0, own.pids() == 0 ? force.pids() : 0);
        List<String> notes = new java.util.ArrayList<>();
        if (!tighter.isEmpty()) {
            notes.add("held to " + tighter + " by its host's");
        }
        if (!added.isEmpty()) {
            notes.add("its host's " + added + " too");
        }
        return app.name() + " on " + app.host().name() + ": " + own + (notes.isEmpty() ? ""
                : " (" + String.join("; ", notes) + ")");
    }

    private List<App> appsWithLimits(Host h) {
        return apps.apps().stream().filter(a -> a.isRunning() && a.host() == h && !a.limits().isEmpty()).toList();
    }

    private void info(List<String> args, PrintStream out) {
        if (args.size() != 1) {
            throw new IllegalArgumentException("usage: " + INFO_USAGE);
        }
        Host host = net.host(args.getFirst());
        out.println("host     " + host.name() + " (network namespace " + host.namespace() + ")");
        out.println("image    " + host.image().map(i -> i + ", own " + host.ownNamespaces().orElse("") + " namespaces,"
                + " init pid " + host.initPid().orElse(-1L)).orElse("none (the machine's file system)"));
        out.println("ip       " + (host.ip() == null ? "-" : host.ip()));
        out.println("limits   " + host.limits());
        out.println("cgroups  " + host.cgroup().map(HostCgroup::toString).orElse("none"));
        out.println("use      " + host.usage().map(LimitCommands::describe).orElse("not measured (no cgroup: set a"
                + " limit to get one)"));
        for (App app : appsWithLimits(host)) {
            out.println("app      " + describe(app) + app.cgroupUsage().map(u -> "; " + describe(u)).orElse(""));
        }
    }

    private static String describe(HostCgroup.Usage u) {
        return String.format(Locale.ROOT, "cpu %.2f s, memory %s%s", u.cpuNanos() / 1e9, mib(u.memoryBytes()),
                u.oomKills() > 0 ? ", " + u.oomKills() + " killed by the memory limit" : "");
    }

    /** The CPU and memory column of {@code apps}: blank once the app ended; an app's own limits. */
    static String usageColumn(App app) {
        return app.usage().map(u -> String.format(Locale.ROOT, "cpu %.1fs mem %s ", u.cpuNanos() / 1e9,
                mib(u.rssBytes()))).orElse("") + app.image().map(i -> "(image " + i + ") ").orElse("")
                + (app.limits().isEmpty() ? "" : "(limits " + app.limitsInForce() + ") ");
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1fM", bytes / 1048576.0);
    }
}
