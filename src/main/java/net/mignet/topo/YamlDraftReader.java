package net.mignet.topo;

import static net.mignet.topo.SourceProblems.NO_LINE;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import net.mignet.flow.FlowRule;
import net.mignet.flow.FlowRuleParser;
import net.mignet.topo.TopologyDraft.EndDraft;
import net.mignet.topo.TopologyDraft.FlowDraft;
import net.mignet.topo.TopologyDraft.LinkDraft;
import net.mignet.topo.TopologyDraft.NodeDraft;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Walks the YAML node tree of a topology file into a {@link TopologyDraft}. Reports every problem of shape and
 * syntax it meets and reads on past it, so one run of the loader lists them all; checks that need the whole file
 * (unknown nodes, names taken twice) are {@link DraftAssembler}'s.
 */
final class YamlDraftReader {
    private static final List<String> TOP_KEYS = List.of("name", "hosts", "switches", "links", "apps",
            "timeline", "sweep");
    private static final List<String> APP_KEYS = List.of("host", "command", "tty", "wait", "migration",
            "pid_namespace", "image", "packages", "cpu", "memory", "pids");
    private static final List<String> HOST_KEYS = List.of("ip", "sysctls", "routes", "image", "packages", "cpu", "memory",
            "pids", "pid_namespace", "uts_namespace", "ipc_namespace");
    private static final List<String> SWITCH_KEYS = List.of("flows", "openflow", "controller", "fail-mode");
    private static final List<String> OPENFLOW_KEYS = List.of("listen", "packet-in-rate");
    private static final String A_TO_B = "a_to_b";
    private static final String B_TO_A = "b_to_a";
    private static final List<String> LINK_KEYS = linkKeys();
    /** An example value per link parameter, for messages about empty values. */
    private static final Map<String, String> EXAMPLES = Map.of("bw", "1000", "delay", "5ms", "jitter", "1ms",
            "distribution", "normal", "loss", "10%", "reorder", "25%", "duplicate", "1%", "corrupt", "0.1%",
            "limit", "1000");
    private static final List<String> END_KEYS = List.of("node", "intf", "ip", "mac");

    private static List<String> linkKeys() {
        List<String> keys = new ArrayList<>(List.of("ends"));
        keys.addAll(LinkParams.KEYS);
        keys.addAll(List.of(A_TO_B, B_TO_A));
        return List.copyOf(keys);
    }

    /** A mapping entry; the key node holds the line that problems about the whole entry point at. */
    record Entry(String key, Node keyNode, Node value) {
    }

    private final SourceProblems problems;

    YamlDraftReader(SourceProblems problems) {
        this.problems = problems;
    }

    TopologyDraft read(Node root, String defaultName) {
        Map<String, Entry> top = fields(root, "a topology file", TOP_KEYS,
                "'hosts:', 'switches:' and 'links:' each at the start of a line");
        if (top == null) {
            top = Map.of();
        }
        List<NodeDraft> nodes = new ArrayList<>();
        readNodes(top.get("hosts"), NodeKind.HOST, nodes);
        readNodes(top.get("switches"), NodeKind.SWITCH, nodes);
        List<LinkDraft> links = readLinks(top.get("links"));
        List<TopologyDraft.AppDraft> apps = readApps(top.get("apps"));
        Entry nameEntry = top.get("name");
        String name = nameEntry == null ? null : text(nameEntry, "name: service-migration");
        return name == null ? new TopologyDraft(defaultName, NO_LINE, nodes, links, apps)
                : new TopologyDraft(name, line(nameEntry.value()), nodes, links, apps);
    }

    private void readNodes(Entry section, NodeKind kind, List<NodeDraft> out) {
        if (section == null || isNull(section.value())) {
            return;
        }
        List<Entry> entries = entries(section.value(), section.key(), kind == NodeKind.HOST
                ? "an indented line 'h1: {ip: 10.0.0.11/24}' (or just 'h1:') per host"
                : "an indented line 's1:' per switch");
        for (Entry e : entries == null ? List.<Entry>of() : entries) {
            String problem = kind == NodeKind.HOST ? Names.nodeNameProblem(e.key())
                    : Names.switchNameProblem(e.key());
            if (problem != null) {
                problems.add(line(e.keyNode()), problem);
            }
            out.add(kind == NodeKind.HOST ? readHost(e) : readSwitch(e));
        }
    }

    private NodeDraft readHost(Entry e) {
        Ipv4Prefix ip = null;
        Map<String, String> sysctls = Map.of();
        HostContainer container = HostContainer.NONE;
        List<TopologyDraft.RouteDraft> routes = List.of();
        if (!isNull(e.value())) {
            Map<String, Entry> f = fields(e.value(), "host '" + e.key() + "'", HOST_KEYS,
                    "'" + e.key() + ": {ip: 10.0.0.11/24}'");
            ip = f == null ? null : value(f.get("ip"), "ip: 10.0.0.11/24", Ipv4Prefix::parseHostAddress);
            if (f != null && f.get("sysctls") != null) {
                sysctls = readSysctls(f.get("sysctls"), e.key());
            }
            if (f != null && f.get("routes") != null) {
                routes = readRoutes(f.get("routes"), e.key());
            }
            container = f == null ? HostContainer.NONE : readContainer(f);
        }
        return new NodeDraft(e.key(), NodeKind.HOST, ip, sysctls, List.of(), line(e.keyNode()), container,
                SwitchOpenFlow.NONE, line(e.keyNode()), routes);
    }

    /**
     * {@code routes: [default via 10.0.1.1, 10.0.2.0/24 via 10.0.1.2]}; whether each gateway is on one of the
     * host's subnets is known only with the links ({@link RouteGateways}).
     */
    private List<TopologyDraft.RouteDraft> readRoutes(Entry section, String host) {
        if (isNull(section.value())) {
            return List.of();
        }
        if (!(section.value() instanceof SequenceNode seq)) {
            problems.add(line(section.value()), "routes of host '" + host + "' must be a list, e.g. 'routes:"
                    + " [default via 10.0.1.1]'; found " + describe(section.value()));
            return List.of();
        }
        List<TopologyDraft.RouteDraft> routes = new ArrayList<>();
        Map<Ipv4Prefix, Integer> lineOf = new java.util.HashMap<>();
        for (Node item : seq.getValue()) {
            if (!(item instanceof ScalarNode scalar) || isNull(item)) {
                problems.add(line(item), "a route of host '" + host + "' must be one line 'DESTINATION via GATEWAY',"
                        + " e.g. 'default via 10.0.1.1'; found " + describe(item));
                continue;
            }
            HostRoute route;
            try {
                route = HostRoute.parse(scalar.getValue());
            } catch (IllegalArgumentException ex) {
                problems.add(line(item), "host '" + host + "': " + ex.getMessage());
                continue;
            }
            Integer first = lineOf.putIfAbsent(route.destination(), line(item));
            if (first != null) {
                problems.add(line(item), "host '" + host + "': the route to " + route.describeDestination()
                        + " is given twice (first on line " + first + "); keep one");
                continue;
            }
            routes.add(new TopologyDraft.RouteDraft(route, line(item)));
        }
        return routes;
    }

    /** {@code sysctls: {net.ipv4.conf.all.arp_ignore: 0}}: network settings of the host's namespace. */
    private Map<String, String> readSysctls(Entry section, String host) {
        if (isNull(section.value())) {
            return Map.of();
        }
        List<Entry> entries = entries(section.value(), "sysctls of host '" + host + "'",
                "'sysctls: {net.ipv4.conf.all.arp_ignore: 0}'");
        Map<String, String> sysctls = new LinkedHashMap<>();
        for (Entry s : entries == null ? List.<Entry>of() : entries) {
            String value = text(s, s.key() + ": 1");
            if (value == null) {
                continue;
            }
            String problem = HostSysctls.problem(s.key(), value);
            if (problem != null) {
                problems.add(line(s.keyNode()), "host '" + host + "': " + problem);
            } else if (sysctls.putIfAbsent(s.key(), value) != null) {
                problems.add(line(s.keyNode()), "sysctl " + s.key() + " is given twice for host '" + host
                        + "'; keep one");
            }
        }
        return sysctls;
    }

    /** {@code image:}, {@code packages:}, {@code cpu:}, {@code memory:} and {@code pids:} of a host. */
    private HostContainer readContainer(Map<String, Entry> f) {
        boolean imageGiven = f.get("image") != null;
        HostImage hostImage = readImage(f);
        java.util.Set<HostContainer.Namespace> own = java.util.EnumSet.noneOf(HostContainer.Namespace.class);
        for (HostContainer.Namespace ns : HostContainer.Namespace.values()) {
            Boolean on = value(f.get(ns.key()), ns.key() + ": false", BooleanWord::parse);
            if (on != null && !imageGiven) {
                problems.add(line(f.get(ns.key()).keyNode()), ns.key() + ": is for hosts with an image (their"
                        + " namespaces are on by default); a host without one shares all but the network's with the"
                        + " machine");
            }
            if (on == null || on) {
                own.add(ns);
            }
        }
        return new HostContainer(hostImage, readLimits(f), hostImage == null ? null : own);
    }

    /** {@code image:} with its {@code packages:}, of a host or an app; null without an image (or a bad one). */
    private HostImage readImage(Map<String, Entry> f) {
        String image = value(f.get("image"), "image: debian:13", t -> HostImage.of(t).reference());
        List<String> packages = new ArrayList<>();
        Entry listed = f.get("packages");
        if (listed != null && listed.value() instanceof SequenceNode seq) {
            seq.getValue().forEach(item -> {
                if (item instanceof ScalarNode sc && !isNull(item)) {
                    packages.add(sc.getValue());
                } else {
                    problems.add(line(item), "each of packages: must be a Debian package name; found " + describe(item));
                }
            });
        } else if (listed != null && !isNull(listed.value())) {
            String text = text(listed, "packages: [iperf3, tcpdump]");
            if (text != null) {
                packages.addAll(List.of(text.split("[,\\s]+")));
            }
        }
        HostImage hostImage = null;
        if (image != null) {
            try {
                hostImage = new HostImage(image, packages);
            } catch (IllegalArgumentException ex) {
                problems.add(line(listed.value()), ex.getMessage());
            }
        } else if (!packages.isEmpty()) {
            problems.add(line(listed.keyNode()), "packages: need an image to go into, e.g. 'image: debian:13'");
        }
        return hostImage;
    }

    /** {@code cpu:}, {@code memory:} and {@code pids:} of a host or an app. */
    private ResourceLimits readLimits(Map<String, Entry> f) {
        Double cpu = value(f.get("cpu"), "cpu: 0.5", ResourceLimits::parseCpu);
        Long memory = value(f.get("memory"), "memory: 256m", ResourceLimits::parseBytes);
        Long pids = value(f.get("pids"), "pids: 100", t -> ResourceLimits.parse(List.of("pids=" + t)).pids());
        try {
            return new ResourceLimits(cpu == null ? 0 : cpu, memory == null ? 0 : memory, pids == null ? 0 : pids);
        } catch (IllegalArgumentException ex) {
            problems.add(line(f.get(cpu != null ? "cpu" : "memory").value()), ex.getMessage());
            return ResourceLimits.NONE;
        }
    }

    private NodeDraft readSwitch(Entry e) {
        List<FlowDraft> flows = List.of();
        SwitchOpenFlow openflow = SwitchOpenFlow.NONE;
        int openflowLine = line(e.keyNode());
        if (!isNull(e.value())) {
            Map<String, Entry> f = fields(e.value(), "switch '" + e.key() + "'", SWITCH_KEYS,
                    "an indented 'flows:' list under '" + e.key() + ":'");
            if (f != null && f.containsKey("flows")) {
                flows = readFlows(f.get("flows"), e.key());
            }
            if (f != null) {
                openflow = readOpenFlow(f, e.key());
                if (f.containsKey("openflow")) {
                    openflowLine = line(f.get("openflow").keyNode());
                }
            }
        }
        return new NodeDraft(e.key(), NodeKind.SWITCH, null, Map.of(), flows, line(e.keyNode()), HostContainer.NONE,
                openflow, openflowLine, List.of());
    }

    /** {@code openflow: {listen: 127.0.0.1:6634, packet-in-rate: 1000}}, {@code controller:}, {@code fail-mode:}. */
    private SwitchOpenFlow readOpenFlow(Map<String, Entry> f, String sw) {
        OpenFlowAddress listen = null;
        Integer rate = null;
        Entry openflow = f.get("openflow");
        if (openflow != null && !isNull(openflow.value())) {
            Map<String, Entry> o = fields(openflow.value(), "openflow of switch '" + sw + "'", OPENFLOW_KEYS,
                    "'openflow: {listen: 127.0.0.1:6634}'");
            if (o != null) {
                listen = value(o.get("listen"), "listen: 127.0.0.1:6634", OpenFlowAddress::parse);
                rate = value(o.get("packet-in-rate"), "packet-in-rate: 1000", YamlDraftReader::packetInRate);
            }
        }
        OpenFlowAddress controller = value(f.get("controller"), "controller: tcp:127.0.0.1:6653",
                OpenFlowAddress::parseController);
        FailMode failMode = value(f.get("fail-mode"), "fail-mode: secure", FailMode::parse);
        return new SwitchOpenFlow(listen, controller, failMode, rate);
    }

    private static Integer packetInRate(String text) {
        int rate;
        try {
            rate = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is no number of packet-ins per second, e.g. 1000");
        }
        if (rate < 1 || rate > 1_000_000) {
            throw new IllegalArgumentException(rate + " must be within 1..1000000 packet-ins per second");
        }
        return rate;
    }

    private List<FlowDraft> readFlows(Entry entry, String sw) {
        if (isNull(entry.value())) {
            return List.of();
        }
        if (!(entry.value() instanceof SequenceNode seq)) {
            problems.add(line(entry.value()), "flows of switch '" + sw + "' must be a list with one '- rule' line"
                    + " per rule, e.g. '- in_port=" + sw + "-h1 actions=output:" + sw + "-h2'; found "
                    + describe(entry.value()));
            return List.of();
        }
        List<FlowDraft> flows = new ArrayList<>();
        for (Node item : seq.getValue()) {
            if (!(item instanceof ScalarNode scalar) || isNull(item)) {
                problems.add(line(item), "a flow of switch '" + sw + "' must be one line of ovs-ofctl syntax,"
                        + " e.g. 'in_port=" + sw + "-h1 actions=output:" + sw + "-h2'; found " + describe(item));
                continue;
            }
            try {
                FlowRule rule = FlowRuleParser.parse(scalar.getValue());
                flows.add(new FlowDraft(scalar.getValue(), rule, line(item)));
            } catch (IllegalArgumentException e) {
                problems.add(line(item), "flow '" + scalar.getValue() + "': " + e.getMessage());
            }
        }
        return flows;
    }

    private List<TopologyDraft.AppDraft> readApps(Entry section) {
        if (section == null || isNull(section.value())) {
            return List.of();
        }
        List<Entry> entries = entries(section.value(), "apps", "an indented 'server: {host: h2, command: python3"
                + " server.py}' per app");
        List<TopologyDraft.AppDraft> apps = new ArrayList<>();
        for (Entry e : entries == null ? List.<Entry>of() : entries) {
            TopologyDraft.AppDraft app = readApp(e);
            if (app != null) {
                apps.add(app);
            }
        }
        return apps;
    }

    private TopologyDraft.AppDraft readApp(Entry e) {
        String nameProblem = Names.appNameProblem(e.key());
        if (nameProblem != null) {
            problems.add(line(e.keyNode()), nameProblem);
        }
        Map<String, Entry> f = fields(e.value(), "app '" + e.key() + "'", APP_KEYS,
                "'" + e.key() + ": {host: h2, command: python3 server.py h2}'");
        if (f == null) {
            return null;
        }
        Entry host = f.get("host");
        String hostName = host == null ? null : text(host, "host: h2");
        if (host == null) {
            problems.add(line(e.keyNode()), "app '" + e.key() + "' needs the host it runs on, e.g. 'host: h2'");
        }
        List<String> command = readCommand(f.get("command"), e);
        if (hostName == null || command.isEmpty()) {
            return null;
        }
        // Problems below are reported; the app is still kept so that its host gets checked too.
        Boolean tty = value(f.get("tty"), "tty: false", BooleanWord::parse);
        MigrationMethod migration = readMigration(f.get("migration"));
        Boolean pidNamespace = value(f.get("pid_namespace"), "pid_namespace: true", BooleanWord::parse);
        if (Boolean.TRUE.equals(pidNamespace) && Boolean.FALSE.equals(tty)) {
            problems.add(line(f.get("pid_namespace").value()), "pid_namespace: true needs the app's terminals;"
                    + " drop 'tty: false' (a checkpoint hands the terminals to the restored copy)");
            pidNamespace = false;
        }
        Entry waitEntry = f.get("wait");
        MigrationRecipe.Condition wait;
        Duration waitTimeout = null;
        if (waitEntry != null && waitEntry.value() instanceof MappingNode) {
            // wait: {until: tcp:8080, timeout: 90s}: a program that takes long to start (an image's first run).
            Map<String, Entry> w = fields(waitEntry.value(), "an app's 'wait'", List.of("until", "timeout"),
                    "'wait: {until: tcp:8080, timeout: 90s}'");
            wait = null;
            if (w != null && !w.containsKey("until")) {
                problems.add(line(waitEntry.keyNode()), "wait: needs the condition, e.g. 'wait: {until: tcp:8080,"
                        + " timeout: 90s}' (or udp:PORT, log:REGEX, after:DURATION)");
            } else if (w != null) {
                wait = value(w.get("until"), "until: tcp:8080", t -> MigrationRecipe.Condition.parse(t, "until"));
                waitTimeout = w.containsKey("timeout") ? value(w.get("timeout"), "timeout: 90s",
                        MigrationRecipe::withinADay) : null;
            }
        } else {
            wait = value(waitEntry, "wait: udp:8888", t -> MigrationRecipe.Condition.parse(t, "wait"));
        }
        if (wait instanceof MigrationRecipe.Condition.Exited) {
            problems.add(line(f.get("wait").value()), "wait: 'exit' is not something to wait for; write udp:PORT,"
                    + " tcp:PORT, log:REGEX or after:DURATION");
            wait = null;
        }
        HostImage image = readImage(f);
        return new TopologyDraft.AppDraft(new AppSpec(e.key(), hostName, command, migration, tty == null || tty,
                wait, waitTimeout, Boolean.TRUE.equals(pidNamespace), image, readLimits(f)),
                line(e.keyNode()), line(host.value()));
    }

    /** A command is one line split like the shell splits words (quotes group), or a list of words. */
    private List<String> readCommand(Entry entry, Entry app) {
        String example = "command: python3 server.py h2";
        if (entry == null) {
            problems.add(line(app.keyNode()), "app '" + app.key() + "' needs a command, e.g. '" + example + "'");
            return List.of();
        }
        if (entry.value() instanceof SequenceNode seq) {
            List<String> words = new ArrayList<>();
            for (Node item : seq.getValue()) {
                if (item instanceof ScalarNode s && !isNull(item)) {
                    words.add(s.getValue());
                } else {
                    problems.add(line(item), "each word of a command list must be a single value; found "
                            + describe(item));
                }
            }
            if (words.isEmpty()) {
                problems.add(line(entry.keyNode()), "command is an empty list; write e.g. '" + example + "'");
            }
            return words;
        }
        String text = text(entry, example);
        if (text == null) {
            return List.of();
        }
        try {
            List<String> words = Words.split(text);
            if (words.isEmpty()) {
                problems.add(line(entry.value()), "command is empty; write e.g. '" + example + "'");
            }
            return words;
        } catch (IllegalArgumentException ex) {
            problems.add(line(entry.value()), "command: " + ex.getMessage());
            return List.of();
        }
    }

    /** {@code migration: checkpoint}, {@code migration: handover[:PORT]}, or a recipe mapping. */
    private MigrationMethod readMigration(Entry entry) {
        if (entry == null || isNull(entry.value())) {
            return null;
        }
        if (entry.value() instanceof ScalarNode s) {
            try {
                return MigrationMethod.parse(s.getValue());
            } catch (IllegalArgumentException ex) {
                problems.add(line(s), keyed("migration", ex.getMessage()));
                return null;
            }
        }
        Map<String, Entry> f = fields(entry.value(), "a migration recipe", MigrationRecipe.KEYS,
                "'migration: {successor: python3 server.py {host} --get_state, ready: udp:9999, trigger: TERM,"
                        + " done: log:Got the counter}'");
        if (f == null) {
            return null;
        }
        MigrationRecipe recipe = MigrationRecipe.DEFAULT;
        boolean ok = true;
        for (Entry k : f.values()) {
            String text = text(k, k.key() + ": ...");
            if (text == null) {
                ok = false;
                continue;
            }
            try {
                recipe = recipe.with(k.key(), text);
            } catch (IllegalArgumentException ex) {
                problems.add(line(k.value()), keyed(k.key(), ex.getMessage()));
                ok = false;
            }
        }
        return ok ? recipe : null;
    }

    private List<LinkDraft> readLinks(Entry section) {
        if (section == null || isNull(section.value())) {
            return List.of();
        }
        if (!(section.value() instanceof SequenceNode seq)) {
            problems.add(line(section.value()), "links must be a list with one '- ends: [h1, s1]' item per link;"
                    + " found " + describe(section.value()));
            return List.of();
        }
        List<LinkDraft> links = new ArrayList<>();
        for (Node item : seq.getValue()) {
            LinkDraft link = readLink(item);
            if (link != null) {
                links.add(link);
            }
        }
        return links;
    }

    private LinkDraft readLink(Node item) {
        int problemsBefore = problems.count();
        Map<String, Entry> f = fields(item, "a link", LINK_KEYS, "'- ends: [h1, s1]'");
        if (f == null) {
            return null;
        }
        LinkParams both = readParams(f, LinkParams.NONE);
        LinkParams aToB = readDirection(f.get(A_TO_B), both);
        LinkParams bToA = readDirection(f.get(B_TO_A), both);
        Entry ends = f.get("ends");
        if (ends == null) {
            problems.add(line(item), "a link needs its two ends, e.g. 'ends: [h1, s1]'");
            return null;
        }
        if (!(ends.value() instanceof SequenceNode seq)) {
            problems.add(line(ends.keyNode()), "ends must be a list of two nodes, e.g. 'ends: [h1, s1]'; found "
                    + describe(ends.value()));
            return null;
        }
        List<EndDraft> read = new ArrayList<>();
        seq.getValue().forEach(end -> read.add(readEnd(end)));
        if (read.size() != 2) {
            problems.add(line(ends.keyNode()), "a link has exactly 2 ends, this one has " + read.size()
                    + "; write one link per pair of nodes, e.g. 'ends: [h1, s1]'");
        }
        if (problems.count() > problemsBefore) {
            return null;
        }
        return new LinkDraft(read.get(0), read.get(1), aToB, bToA, line(item));
    }

    /** The link parameters among {@code fields}, set on top of {@code base}; bad values are reported. */
    private LinkParams readParams(Map<String, Entry> fields, LinkParams base) {
        LinkParams params = base;
        for (String key : LinkParams.KEYS) {
            Entry e = fields.get(key);
            String text = e == null ? null : text(e, key + ": " + EXAMPLES.get(key));
            if (text == null) {
                continue;
            }
            try {
                params = params.with(key, text);
            } catch (IllegalArgumentException ex) {
                problems.add(line(e.value()), keyed(key, ex.getMessage()));
            }
        }
        return params;
    }

    /** One direction's own parameters ({@code a_to_b: {loss: 1%}}), on top of those of both directions. */
    private LinkParams readDirection(Entry entry, LinkParams both) {
        if (entry == null || isNull(entry.value())) {
            return both;
        }
        Map<String, Entry> f = fields(entry.value(), "'" + entry.key() + "'", LinkParams.KEYS,
                "'" + entry.key() + ": {delay: 5ms, loss: 1%}'");
        return f == null ? both : readParams(f, both);
    }

    /** An end is {@code h1}, {@code h1:h1-eth0} (containerlab style) or {@code {node: h1, intf: ..., ip: ..., mac: ...}}. */
    private EndDraft readEnd(Node node) {
        if (node instanceof ScalarNode scalar && !isNull(node)) {
            String[] parts = scalar.getValue().split(":", -1);
            String name = parts[0].trim();
            String intf = parts.length == 2 ? parts[1].trim() : null;
            if (parts.length > 2 || name.isEmpty() || intf != null && intf.isEmpty()) {
                problems.add(line(node), "link end '" + scalar.getValue() + "' must be a node name or"
                        + " node:interface, e.g. 'h2' or 'h2:h2-s1'");
                return null;
            }
            return interfaceNameOk(intf, node) ? new EndDraft(name, intf, null, null, line(node)) : null;
        }
        if (!(node instanceof MappingNode)) {
            problems.add(line(node), "a link end must be a node name like 'h1', 'h1:h1-s1' or a mapping like"
                    + " '{node: h1, intf: h1-s1, ip: 10.0.0.11/24}'; found " + describe(node));
            return null;
        }
        int problemsBefore = problems.count();
        Map<String, Entry> f = fields(node, "a link end", END_KEYS, "'{node: h1, intf: h1-s1, ip: 10.0.0.11/24}'");
        Entry nodeEntry = f.get("node");
        if (nodeEntry == null) {
            problems.add(line(node), "a link end needs the node it is on, e.g. '{node: h1, intf: h1-s1}'");
        }
        String name = nodeEntry == null ? null : text(nodeEntry, "node: h1");
        Entry intfEntry = f.get("intf");
        String intf = intfEntry == null ? null : text(intfEntry, "intf: h1-s1");
        if (intf != null) {
            interfaceNameOk(intf, intfEntry.value());
        }
        Ipv4Prefix ip = value(f.get("ip"), "ip: 10.0.0.11/24", Ipv4Prefix::parseHostAddress);
        MacAddress mac = value(f.get("mac"), "mac: \"00:00:00:00:00:12\"", MacAddress::parseInterfaceAddress);
        return problems.count() > problemsBefore ? null : new EndDraft(name, intf, ip, mac, line(node));
    }

    private boolean interfaceNameOk(String intf, Node where) {
        String problem = intf == null ? null : Names.interfaceNameProblem(intf);
        if (problem != null) {
            problems.add(line(where), problem);
        }
        return problem == null;
    }

    /**
     * The entries of a mapping whose keys are names chosen by the user (hosts, switches), in file order and with
     * repeats kept, so that a node declared twice is reported rather than silently merged. Null if not a mapping.
     */
    List<Entry> entries(Node node, String what, String example) {
        if (!(node instanceof MappingNode mapping)) {
            problems.add(line(node), what + " must be a mapping of 'key: value' lines, e.g. " + example
                    + "; found " + describe(node));
            return null;
        }
        List<Entry> entries = new ArrayList<>();
        for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode key && !isNull(key)) {
                entries.add(new Entry(key.getValue(), key, tuple.getValueNode()));
            } else {
                problems.add(line(tuple.getKeyNode()), "a key in " + what + " must be a plain name; found "
                        + describe(tuple.getKeyNode()));
            }
        }
        return entries;
    }

    /** A mapping with a fixed set of keys, each given at most once. Null if not a mapping. */
    Map<String, Entry> fields(Node node, String what, List<String> allowed, String example) {
        List<Entry> entries = entries(node, what, example);
        if (entries == null) {
            return null;
        }
        Map<String, Entry> fields = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (!allowed.contains(e.key())) {
                problems.add(line(e.keyNode()), "unknown key '" + e.key() + "' in " + what
                        + Suggestions.didYouMean(e.key(), allowed) + "; allowed here: " + String.join(", ", allowed));
                continue;
            }
            Entry first = fields.putIfAbsent(e.key(), e);
            if (first != null) {
                problems.add(line(e.keyNode()), "'" + e.key() + "' is given twice in " + what + " (first on line "
                        + line(first.keyNode()) + "); keep one");
            }
        }
        return fields;
    }

    /** The text of a single value, or null (reported) when it is empty, a list or a mapping. */
    String text(Entry e, String example) {
        if (isNull(e.value())) {
            problems.add(line(e.keyNode()), "'" + e.key() + "' is empty; write e.g. '" + example + "'");
            return null;
        }
        if (!(e.value() instanceof ScalarNode scalar)) {
            problems.add(line(e.value()), "'" + e.key() + "' must be a single value, e.g. '" + example + "'; found "
                    + describe(e.value()));
            return null;
        }
        return scalar.getValue();
    }

    /** Parses an optional value; null when absent or (reported) unparseable. */
    <T> T value(Entry e, String example, Function<String, T> parser) {
        String text = e == null ? null : text(e, example);
        if (text == null) {
            return null;
        }
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException ex) {
            problems.add(line(e.value()), keyed(e.key(), ex.getMessage()));
            return null;
        }
    }

    /**
     * {@code key: message}, unless the parser's message names the key already (conditions, ports and link
     * parameters are parsed by code shared with the shell, whose messages say which key): not "wait: wait: ...".
     */
    static String keyed(String key, String message) {
        return message.startsWith(key + ":") || message.startsWith(key + " ") ? message : key + ": " + message;
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    static String describe(Node node) {
        return switch (node) {
            case ScalarNode s when isNull(s) -> "nothing";
            case ScalarNode s -> "'" + s.getValue() + "'";
            case SequenceNode _ -> "a list";
            case MappingNode _ -> "a mapping";
            default -> "a " + node.getNodeType();
        };
    }

    /** 1-based, as editors show it. */
    static int line(Node node) {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(NO_LINE);
    }
}
