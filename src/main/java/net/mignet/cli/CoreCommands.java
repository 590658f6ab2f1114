package net.mignet.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import net.mignet.app.App;
import net.mignet.app.AppLog;
import net.mignet.app.AppManager;
import net.mignet.app.DeployOptions;
import net.mignet.app.LogLine;
import net.mignet.apps.BuiltinApps;
import net.mignet.experiment.LabApps;
import net.mignet.flow.FlowRule;
import net.mignet.flow.FlowRuleFormatter;
import net.mignet.flow.FlowRuleParser;
import net.mignet.net.Emulation;
import net.mignet.net.FlowEntry;
import net.mignet.net.FlowTable;
import net.mignet.net.Host;
import net.mignet.net.Link;
import net.mignet.net.LinkSettings;
import net.mignet.net.PingResult;
import net.mignet.topo.HostImage;
import net.mignet.topo.LinkEnd;
import net.mignet.topo.LinkSelector;
import net.mignet.topo.ResourceLimits;

/** The shell's commands for inspecting and changing a running emulation and its apps. */
public final class CoreCommands {
    private final Emulation net;
    private final AppManager apps;

    public CoreCommands(Emulation net, AppManager apps) {
        this.net = net;
        this.apps = apps;
    }

    public void registerAll(Shell shell) {
        shell.register(new ShellCommand("nodes", "nodes", "list hosts and switches", (a, out) -> nodes(out)));
        shell.register(new ShellCommand("net", "net", "list links", (a, out) -> links(out)));
        shell.register(new ShellCommand("intfs", "intfs", "list every host's interfaces and addresses",
                (a, out) -> interfaces(out)));
        shell.register(new ShellCommand("dump", "dump", "every node with its interfaces, addresses, routes and"
                + " namespace",
                (a, out) -> dump(out)));
        shell.register(new ShellCommand("pingall", "pingall [timeout]", "every host pings every other host once,"
                + " waiting up to timeout seconds for each reply (default: 1 s plus twice the links' delays);"
                + " Ctrl-C ends it with what it measured", this::pingAll).withCtrlC(ShellCommand.CtrlC.INTERRUPTS));
        shell.register(new ShellCommand("flows", "flows <switch>", "show a switch's flow table with counters",
                this::flows));
        shell.register(new ShellCommand("flow", "flow <switch> add|mod|del [<match>] [actions=...]",
                "change a flow table, ovs-ofctl syntax, e.g. flow s1 mod in_port=s1-h1 actions=output:s1-h3",
                this::flow));
        shell.register(new ShellCommand("deploy", "deploy [--no-tty] [--pid-ns] [--image IMG [--packages P,Q]]"
                + " [--cpu C] [--memory M] [--pids N] <app> <host> <command...>", "start a program on a host as a named"
                        + " app, its output through a terminal (--no-tty: pipes); --image IMG: in a container of its own"
                        + " with that image (debian:13, oci:DIR:TAG, FILE.tar; --packages: Debian packages added to a"
                        + " debian: image), in the host's network; --cpu/--memory/--pids: limits of"
                        + " its own, tighter than the host's, in a cgroup of its own inside the host's;"
                        + " --pid-ns: in a pid namespace of its own under tini, so it can migrate by checkpoint"
                        + " --lazy; built-in programs: " + String.join(", ", BuiltinApps.names()), this::deploy));
        shell.register(new ShellCommand("apps", "apps", "list apps", (a, out) -> listApps(out)));
        shell.register(new ShellCommand("logs", "logs <app> [lines]", "show an app's timestamped output",
                this::logs));
        shell.register(new ShellCommand("stop", "stop <app>", "SIGTERM an app, SIGKILL after 5 s", this::stop));
        shell.register(new ShellCommand("remove", "remove <app>", "stop an app and forget it", this::remove));
        shell.register(new ShellCommand("link", "link <node> <node> up|down|set [from=<node>] [key=value...]",
                "cut or restore the links between two nodes, or change their parameters: bw delay jitter"
                        + " distribution loss reorder duplicate corrupt limit (value none removes one; set clear"
                        + " removes all), e.g. link h1 s1 set delay=20ms loss=1%", this::link));
        shell.register(new ShellCommand("links", "links", "every link with its parameters per direction and the"
                + " backend applying them", (a, out) -> linkTable(out)));
        shell.register(new ShellCommand("intf", "intf <host> <interface> up|down", "take a host interface up or"
                + " down", this::intf));
        new TrafficCommands(net).registerAll(shell);
        new MigrationCommands(apps).registerAll(shell);
        new LimitCommands(net, apps).registerAll(shell);
        new FaultCommands(net, apps).registerAll(shell);
    }

    /** Runs a command inside a host, printing its output as it comes; host names in arguments become IPs. */
    public void runOnHost(Host host, List<String> argv, PrintStream out) throws IOException, InterruptedException {
        HostCommandRun.run(host, withHostAddresses(argv), out, new InterruptRouter(Thread.currentThread(), out));
    }

    /** {@code argv} with each word that names a host replaced by the host's address. */
    List<String> withHostAddresses(List<String> argv) {
        return argv.stream().map(this::withHostAddress).toList();
    }

    /** {@code word}, or the address of the host it names. */
    String withHostAddress(String word) {
        return net.hosts().stream().filter(h -> h.name().equals(word) && h.ip() != null)
                .map(h -> h.ip().toString()).findFirst().orElse(word);
    }

    private void nodes(PrintStream out) {
        out.println("hosts:    " + String.join(" ", net.hosts().stream().map(Host::name).toList()));
        out.println("switches: " + String.join(" ", net.switches().stream().map(s -> s.name()).toList()));
    }

    private void links(PrintStream out) {
        for (Link l : net.links()) {
            out.println(l);
        }
    }

    /** As Mininet's dump: one line per node. */
    private void dump(PrintStream out) {
        for (Host h : net.hosts()) {
            String intfs = String.join(",", h.interfaces().stream().map(i -> i.interfaceName() + ":"
                    + (i.ip() == null ? "None" : i.ip().toString())).toList());
            String image = h.image().map(i -> " image=" + i).orElse("");
            String limits = h.limits().isEmpty() ? "" : " limits=" + h.limits();
            String routes = h.routes().isEmpty() ? "" : " routes=" + h.routes();
            out.println("<Host " + h.name() + ": " + intfs + " netns=" + h.namespace() + routes + image + limits
                    + h.initPid().map(p -> " pid=" + p).orElse("") + ">");
        }
        for (var s : net.switches()) {
            out.println("<Switch " + s.name() + ": " + String.join(",", s.ports()) + " netns="
                    + s.fabricNamespace() + ">");
        }
    }

    private void interfaces(PrintStream out) {
        for (Host h : net.hosts()) {
            Map<String, Boolean> up = h.interfacesUp();
            for (LinkEnd i : h.interfaces()) {
                out.printf("%-8s %-15s %-18s %-4s %s%n", h.name(), i.interfaceName(), i.ip() == null ? "-" : i.ip(),
                        up.getOrDefault(i.interfaceName(), false) ? "up" : "down", i.mac() == null ? "" : i.mac());
            }
        }
    }

    private void pingAll(List<String> args, PrintStream out) {
        if (args.size() > 1 || (args.size() == 1 && !args.getFirst().matches("[0-9]+(\\.[0-9]+)?"))) {
            throw new IllegalArgumentException("usage: pingall [timeout], timeout in seconds, e.g. pingall 3");
        }
        Duration wait = args.isEmpty() ? replyWait() : Duration.ofMillis(Math.round(
                Double.parseDouble(args.getFirst()) * 1000));
        if (wait.isZero() || wait.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("pingall's timeout is more than 0 and at most 60 s");
        }
        out.println("*** Ping: testing ping reachability");
        List<Host> targets = net.hosts().stream().filter(h -> h.ip() != null).toList();
        int planned = targets.size() * (net.hosts().size() - 1); // every host pings every target but itself
        int sent = 0;
        int received = 0;
        boolean interrupted = false;
        for (Host src : net.hosts()) {
            StringBuilder line = new StringBuilder(src.name()).append(" ->");
            for (Host dst : targets) {
                if (dst == src) {
                    continue;
                }
                Optional<PingResult> r = pingUnlessInterrupted(src, dst, wait);
                if (r.isEmpty()) {
                    interrupted = true;
                    break;
                }
                sent++;
                if (r.get().allReceived()) {
                    received++;
                    line.append(' ').append(dst.name());
                } else {
                    line.append(" X");
                }
            }
            out.println(interrupted ? line + " ^C" : line);
            if (interrupted) {
                break;
            }
        }
        if (sent > 0) {
            int dropped = Math.round(100f * (sent - received) / sent);
            out.printf("*** Results: %d%% dropped (%d/%d received)%n", dropped, received, sent);
        } else if (!interrupted) {
            out.println("*** Results: nothing tested: no two hosts with addresses (give hosts an ip:)");
        }
        if (interrupted) {
            out.println("*** pingall interrupted by Ctrl-C: " + (planned - sent) + " of " + planned
                    + " pings not measured");
        }
    }

    /**
     * One ping, or nothing when Ctrl-C interrupted this thread (before it or during it: the ping in flight is then
     * killed by the wait it was in).
     */
    private static Optional<PingResult> pingUnlessInterrupted(Host src, Host dst, Duration wait) {
        if (Thread.currentThread().isInterrupted()) {
            return Optional.empty();
        }
        try {
            return Optional.of(src.ping(dst.ip().toString(), 1, Duration.ofMillis(200), wait));
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * 1 s, as Mininet waits, plus twice every link's larger delay (with jitter): a reply over a 600 ms link comes
     * after 1.2 s, and a fixed 1 s called that host unreachable. A bound for any path, however long.
     */
    private Duration replyWait() {
        Duration extra = Duration.ZERO;
        for (Link l : net.links()) {
            Duration ab = oneWay(l.paramsAToB());
            Duration ba = oneWay(l.paramsBToA());
            extra = extra.plus(ab.compareTo(ba) > 0 ? ab : ba);
        }
        Duration wait = Duration.ofSeconds(1).plus(extra.multipliedBy(2));
        return wait.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : wait;
    }

    private static Duration oneWay(net.mignet.topo.LinkParams p) {
        Duration d = p.delay() == null ? Duration.ZERO : p.delay();
        return p.jitter() == null ? d : d.plus(p.jitter());
    }

    private void flows(List<String> args, PrintStream out) {
        requireArgs(args, 1, "flows <switch>");
        List<FlowEntry> entries = net.switchNamed(args.getFirst()).flowTable().entries();
        net.mignet.flow.FlowAction miss = net.switchNamed(args.getFirst()).flowTable().tableMiss();
        String missText = switch (miss) {
            case net.mignet.flow.FlowAction.Drop d -> "are dropped (OpenFlow fail-mode secure, or a controller's table)";
            case net.mignet.flow.FlowAction.Controller c -> "go to the OpenFlow controller";
            default -> "go to the learning bridge";
        };
        if (entries.isEmpty()) {
            out.println("(no rules: every frame " + missText.replace("are dropped", "is dropped")
                    .replace("go to", "goes to") + ")");
        } else if (!(miss instanceof net.mignet.flow.FlowAction.Normal)) {
            out.println("(frames no rule matches " + missText + ")");
        }
        for (FlowEntry e : entries) {
            out.printf(" id=%d, %sn_packets=%d, n_bytes=%d, %s%s%n", e.id(), openflowFields(e), e.packets(), e.bytes(),
                    FlowRuleFormatter.format(e.rule()),
                    e.held() ? "  # held: frames for " + String.join(",", e.heldPorts()) + " queue at the switch" : "");
        }
    }

    /** OpenFlow's cookie and timeouts, for the rules a controller gave them. */
    private static String openflowFields(FlowEntry e) {
        StringBuilder b = new StringBuilder();
        if (e.options().cookie() != 0) {
            b.append(String.format("cookie=0x%x, ", e.options().cookie()));
        }
        if (e.options().idleTimeout() > 0) {
            b.append("idle_timeout=").append(e.options().idleTimeout()).append(", ");
        }
        if (e.options().hardTimeout() > 0) {
            b.append("hard_timeout=").append(e.options().hardTimeout()).append(", ");
        }
        if (e.options().notifyRemoval()) {
            b.append("send_flow_rem, ");
        }
        return b.toString();
    }

    private void flow(List<String> args, PrintStream out) {
        requireArgs(args, 2, "flow <switch> add|mod|del <match> [actions=...]");
        FlowTable table = net.switchNamed(args.get(0)).flowTable();
        String rest = String.join(" ", args.subList(2, args.size()));
        switch (args.get(1)) {
            case "add" -> {
                FlowRule rule = FlowRuleParser.parse(rest);
                out.println("added rule " + table.add(rule));
            }
            case "mod" -> {
                FlowRule rule = FlowRuleParser.parse(rest);
                Integer priority = FlowRuleParser.parseMatch(rest.substring(0, actionsStart(rest))).priority();
                out.println("modified " + table.modify(rule.match(), priority, rule.action(), rule.rewrites()) + " rule(s)");
            }
            case "del" -> {
                FlowRuleParser.MatchSpec spec = FlowRuleParser.parseMatch(rest);
                out.println("deleted " + table.delete(spec.match(), spec.priority()) + " rule(s)");
            }
            default -> throw new IllegalArgumentException("unknown flow operation '" + args.get(1)
                    + "': use add, mod or del");
        }
    }

    private static int actionsStart(String rule) {
        int i = rule.indexOf("actions=");
        return i < 0 ? rule.length() : i;
    }

    private void deploy(List<String> words, PrintStream out) {
        // Options come before the app's name: everything after the host belongs to the program.
        String usage = "deploy [--no-tty] [--pid-ns] [--image IMG [--packages P,Q]] [--cpu C] [--memory M]"
                + " [--pids N] <app> <host> <command...>";
        ResourceLimits limits = ResourceLimits.NONE;
        int first = 0;
        boolean pipes = false;
        boolean pidNs = false;
        String image = null;
        List<String> packages = List.of();
        for (; first < words.size() && words.get(first).startsWith("--"); first++) {
            switch (words.get(first)) {
                case "--no-tty" -> pipes = true;
                case "--pid-ns" -> pidNs = true;
                case "--image" -> {
                    if (++first >= words.size()) {
                        throw new IllegalArgumentException("--image needs an image, e.g. --image debian:13; usage: "
                                + usage);
                    }
                    image = words.get(first);
                }
                case "--packages" -> {
                    if (++first >= words.size()) {
                        throw new IllegalArgumentException("--packages needs Debian package names, e.g. --packages"
                                + " python3,iperf3; usage: " + usage);
                    }
                    packages = List.of(words.get(first).split(","));
                }
                case "--cpu", "--memory", "--pids" -> {
                    String key = words.get(first).substring(2);
                    if (++first >= words.size()) {
                        throw new IllegalArgumentException("--" + key + " needs a value, e.g. --cpu 0.2, --memory 64m,"
                                + " --pids 20; usage: " + usage);
                    }
                    limits = limits.with(ResourceLimits.parse(List.of(key + "=" + words.get(first))));
                }
                default -> throw new IllegalArgumentException("unknown option " + words.get(first) + "; usage: "
                        + usage);
            }
        }
        if (!packages.isEmpty() && image == null) {
            throw new IllegalArgumentException("--packages go into an image: add --image debian:13; usage: " + usage);
        }
        DeployOptions options = new DeployOptions(!pipes, pidNs, image == null ? null : new HostImage(image,
                packages), limits);
        List<String> args = words.subList(first, words.size());
        requireArgs(args, 3, usage);
        if (args.get(1).startsWith("--")) {
            throw new IllegalArgumentException("options go before the app's name: deploy " + args.get(1) + " ... "
                    + args.getFirst() + " <host> <command...>; usage: " + usage);
        }
        // Host names stay as typed (unlike a host command's): programs take them as arguments, as the original
        // example's server does ('server.py h2').
        List<String> command = args.subList(2, args.size());
        App app = LabApps.deploy(apps, args.get(0), net.host(args.get(1)), command, options);
        out.println("deployed " + app);
    }

    private void listApps(PrintStream out) {
        if (apps.apps().isEmpty()) {
            out.println("(no apps)");
        }
        for (App a : apps.apps()) {
            // An app with its own pid namespace shows its init's pid, which forwards signals to the program.
            out.printf("%-16s %-8s pid %-8d %-8s %s%s%s%n", a.name(), a.host().name(), a.pid(),
                    !a.isRunning() && a.crash().isEmpty() && a.oomKilled() ? "oom-killed" : a.stateDescription(),
                    LimitCommands.usageColumn(a), a.hasOwnPidNamespace() ? "(pid-ns, init tini) " : "",
                    commandAsTyped(a.argv()));
        }
    }

    /**
     * An app's command as the user typed it: a built-in program deployed by name ({@code counter-service
     * --listen ...}) runs as {@code java -XX:... -cp .../mignet.jar net.mignet.apps.CounterService --listen ...},
     * some 400 characters of mignet's own JVM flags that the user never wrote; it shows by its name again.
     */
    static String commandAsTyped(List<String> argv) {
        for (int i = 2; i < argv.size(); i++) {
            Optional<String> builtin = argv.get(i - 2).equals("-cp") ? BuiltinApps.nameOf(argv.get(i))
                    : Optional.empty();
            if (builtin.isPresent()) {
                List<String> words = new ArrayList<>(List.of(builtin.get()));
                words.addAll(argv.subList(i + 1, argv.size()));
                return String.join(" ", words);
            }
        }
        return String.join(" ", argv);
    }

    private void logs(List<String> args, PrintStream out) {
        requireArgs(args, 1, "logs <app> [lines]");
        AppLog log = apps.get(args.getFirst()).log();
        List<LogLine> lines;
        try {
            lines = args.size() > 1 ? log.last(parseCount(args.get(1), "lines")) : log.lines();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; usage: logs <app> [lines]", e);
        }
        lines.forEach(l -> out.println(l.format()));
    }

    private void stop(List<String> args, PrintStream out) {
        requireArgs(args, 1, "stop <app>");
        App app = apps.get(args.getFirst());
        out.println(app.name() + " stopped, exit status " + app.stop(Duration.ofSeconds(5)));
    }

    private void remove(List<String> args, PrintStream out) {
        requireArgs(args, 1, "remove <app>");
        out.println(args.getFirst() + " removed, exit status " + apps.remove(args.getFirst()));
    }

    private void link(List<String> args, PrintStream out) {
        requireArgs(args, 3, "link <node>[:<interface>] <node>[:<interface>] up|down|set key=value...");
        List<Link> links = net.linksSelected(args.get(0), args.get(1));
        if (args.get(2).equals("set")) {
            LinkSelector ends = LinkSelector.of(args.get(0), args.get(1));
            LinkSettings settings = LinkSettings.parse(args.subList(3, args.size()), ends.node1(), ends.node2());
            for (Link l : links) {
                settings.applyTo(l);
                out.println(describe(l));
            }
            return;
        }
        String word = args.get(2);
        if (!word.equals("up") && !word.equals("down")) {
            // Parameters without 'set' (link h1 s1 clear, link h1 s1 delay=5ms): say the line that does it.
            String example = word.equals("clear") || word.contains("=")
                    ? String.join(" ", args.subList(2, args.size())) : "delay=20ms";
            throw new IllegalArgumentException("'" + word + "': write up, down or set; e.g. link " + args.get(0)
                    + " " + args.get(1) + " set " + example);
        }
        boolean up = upOrDown(word);
        if (args.size() > 3) {
            throw new IllegalArgumentException("link ... " + args.get(2) + " takes no more words; usage: link <node>"
                    + " <node> up|down, or link <node> <node> set key=value...");
        }
        for (Link l : links) {
            l.setUp(up);
            out.println(l);
        }
    }

    private void linkTable(PrintStream out) {
        out.printf("%-36s %-10s %-34s %s%n", "link", "backend", "a->b", "b->a");
        for (Link l : net.links()) {
            out.printf("%-36s %-10s %-34s %s%n", l.a() + " <-> " + l.b() + (l.isUp() ? "" : " [down]"), l.backend(),
                    l.a().node() + "->" + l.b().node() + ": " + l.paramsAToB(),
                    l.b().node() + "->" + l.a().node() + ": " + l.paramsBToA());
            for (var stats : l.engineStats()) {
                out.println("    " + stats.toString().replaceFirst("^a->b", l.a().node() + "->" + l.b().node())
                        .replaceFirst("^b->a", l.b().node() + "->" + l.a().node()));
            }
        }
    }

    private static String describe(Link l) {
        return l.a() + " <-> " + l.b() + ": " + l.spec().describeParams() + " [" + l.backend() + "]";
    }

    private void intf(List<String> args, PrintStream out) {
        requireArgs(args, 3, "intf <host> <interface> up|down");
        net.host(args.get(0)).setInterfaceUp(args.get(1), upOrDown(args.get(2)));
        out.println(args.get(0) + ":" + args.get(1) + " " + args.get(2));
    }

    private static boolean upOrDown(String word) {
        return switch (word) {
            case "up" -> true;
            case "down" -> false;
            default -> throw new IllegalArgumentException("'" + word + "': write up or down");
        };
    }

    /** A non-negative whole number given for {@code what}, or a clear error. */
    static int parseCount(String text, String what) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(what + " must be a whole number of 0 or more, not '" + text + "'");
    }

    static void requireArgs(List<String> args, int min, String usage) {
        if (args.size() < min) {
            throw new IllegalArgumentException("usage: " + usage);
        }
    }

}
