package net.mignet.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import net.mignet.app.App;
import net.mignet.kernel.HostCgroup;
import net.mignet.net.Emulation;
import net.mignet.net.Host;
import net.mignet.topo.ResourceLimits;

/** The shell's {@code limit} and {@code info} verbs: a host's resource limits, image and use. */
final class LimitCommands {
    static final String LIMIT_USAGE = "limit <host> [cpu=<cores>] [memory=<size>] [pids=<n>]";
    static final String INFO_USAGE = "info <host>";

    private final Emulation net;

    LimitCommands(Emulation net) {
        this.net = net;
    }

    void registerAll(Shell shell) {
        shell.register(new ShellCommand("limit", LIMIT_USAGE, "change a host's cgroup limits at run time, e.g. limit"
                + " h2 cpu=0.5 memory=256m pids=100 (cpu in cores; without limits: show them)", this::limit));
        shell.register(new ShellCommand("info", INFO_USAGE, "a host's image, namespaces, limits and CPU and memory"
                + " use", this::info));
    }

    private void limit(List<String> args, PrintStream out) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("usage: " + LIMIT_USAGE);
        }
        Host host = net.host(args.getFirst());
        if (args.size() == 1) {
            out.println(host.name() + ": " + host.limits());
            return;
        }
        ResourceLimits now = host.limit(ResourceLimits.parse(args.subList(1, args.size())));
        out.println(host.name() + ": " + now);
    }

    private void info(List<String> args, PrintStream out) {
        if (args.size() != 1) {
            throw new IllegalArgumentException("usage: " + INFO_USAGE);
        }
        Host host = net.host(args.getFirst());
        out.println("host     " + host.name() + " (network namespace " + host.namespace() + ")");
        out.println("image    " + host.image().map(i -> i + ", own mount/pid/uts/ipc namespaces, init pid "
                + host.initPid().orElse(-1L)).orElse("none (the machine's file system)"));
        out.println("ip       " + (host.ip() == null ? "-" : host.ip()));
        out.println("limits   " + host.limits());
        out.println("use      " + host.usage().map(LimitCommands::describe).orElse("not measured (no cgroup: set a"
                + " limit to get one)"));
    }

    private static String describe(HostCgroup.Usage u) {
        return String.format(Locale.ROOT, "cpu %.2f s, memory %s%s", u.cpuNanos() / 1e9, mib(u.memoryBytes()),
                u.oomKills() > 0 ? ", " + u.oomKills() + " killed by the memory limit" : "");
    }

    /** The CPU and memory column of {@code apps}: blank once the app ended. */
    static String usageColumn(App app) {
        return app.usage().map(u -> String.format(Locale.ROOT, "cpu %.1fs mem %s ", u.cpuNanos() / 1e9,
                mib(u.rssBytes()))).orElse("") + app.image().map(i -> "(image " + i + ") ").orElse("");
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1fM", bytes / 1048576.0);
    }
}
