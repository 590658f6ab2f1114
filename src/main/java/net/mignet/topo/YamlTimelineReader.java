package net.mignet.topo;

import static net.mignet.topo.YamlDraftReader.describe;
import static net.mignet.topo.YamlDraftReader.isNull;
import static net.mignet.topo.YamlDraftReader.line;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.mignet.topo.YamlDraftReader.Entry;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads a topology file's {@code timeline:} and {@code sweep:} sections. Each step is a mapping with one verb
 * ({@code deploy}, {@code migrate}, {@code link}, {@code cut}, {@code restore}, {@code stop}, {@code wait},
 * {@code repeat}) and, optionally, {@code at:} or {@code after:}:
 *
 * <pre>
 * timeline:
 *   - at: 2s
 *     migrate: kv
 *     to: h3
 *     strategy: pre-copy
 *     rounds: 3
 *   - link: [h2, s1]
 *     set: {bw: 100}
 *   - after: 1s
 *     cut: [h2, s1]
 *   - wait: {app: client, until: "log:done", timeout: 30s}
 *   - repeat: 3
 *     steps:
 *       - migrate: kv
 *         to: h2
 * </pre>
 */
final class YamlTimelineReader {
    static final List<String> VERBS = List.of("deploy", "migrate", "link", "cut", "restore", "stop", "wait",
            "repeat", "crash", "restart", "freeze", "thaw", "flap");
    static final List<String> STRATEGIES = List.of("auto", "handover", "recipe", "checkpoint", "stop-and-copy",
            "pre-copy", "post-copy");
    /** Options of a migrate step besides {@code migrate}, {@code to} and {@code strategy}. */
    static final List<String> MIGRATE_OPTIONS = migrateOptions();
    private static final List<String> TIMING = List.of("at", "after");
    private static final Duration DEFAULT_WAIT_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_REPEAT = 100_000;

    private static List<String> migrateOptions() {
        List<String> keys = new ArrayList<>(List.of("lazy", "rounds", "until-delta"));
        keys.addAll(MigrationRecipe.KEYS);
        return List.copyOf(keys);
    }

    private final YamlDraftReader fields;
    private final SourceProblems problems;

    YamlTimelineReader(YamlDraftReader fields, SourceProblems problems) {
        this.fields = fields;
        this.problems = problems;
    }

    List<TimedStep> readTimeline(Node root) {
        return topLevel(root, "timeline").map(node -> readSteps(node, "timeline")).orElse(List.of());
    }

    Sweep readSweep(Node root) {
        Optional<Node> node = topLevel(root, "sweep");
        if (node.isEmpty() || isNull(node.get())) {
            return Sweep.NONE;
        }
        List<Entry> entries = fields.entries(node.get(), "sweep", "'state_size: [1KB, 1MB]' per swept value");
        Map<String, List<String>> axes = new LinkedHashMap<>();
        for (Entry e : entries == null ? List.<Entry>of() : entries) {
            if (!e.key().matches("[a-z][a-z0-9_]{0,31}")) {
                problems.add(line(e.keyNode()), "sweep name '" + e.key() + "' must be 1-32 lower-case letters,"
                        + " digits or '_', starting with a letter; the file uses it as ${" + e.key() + "}");
                continue;
            }
            if (axes.containsKey(e.key())) {
                problems.add(line(e.keyNode()), "sweep '" + e.key() + "' is given twice; keep one list");
                continue;
            }
            List<String> values = scalars(e.value(), "sweep '" + e.key() + "'");
            if (values.isEmpty()) {
                problems.add(line(e.keyNode()), "sweep '" + e.key() + "' needs a list of values, e.g. '"
                        + e.key() + ": [1KB, 1MB, 64MB]'");
            } else {
                axes.put(e.key(), values);
            }
        }
        return new Sweep(axes);
    }

    private static Optional<Node> topLevel(Node root, String key) {
        if (root instanceof MappingNode mapping) {
            for (NodeTuple t : mapping.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode s && s.getValue().equals(key)) {
                    return Optional.of(t.getValueNode());
                }
            }
        }
        return Optional.empty();
    }

    private List<TimedStep> readSteps(Node node, String what) {
        if (isNull(node)) {
            return List.of();
        }
        if (!(node instanceof SequenceNode seq)) {
            problems.add(line(node), what + " must be a list with one '- migrate: ...' item per step; found "
                    + describe(node));
            return List.of();
        }
        List<TimedStep> steps = new ArrayList<>();
        for (Node item : seq.getValue()) {
            TimedStep step = readStep(item);
            if (step != null) {
                steps.add(step);
            }
        }
        return steps;
    }

    private TimedStep readStep(Node item) {
        List<String> allowed = new ArrayList<>(VERBS);
        allowed.addAll(TIMING);
        allowed.addAll(List.of("to", "strategy", "set", "steps", "period", "count"));
        allowed.addAll(MIGRATE_OPTIONS);
        Map<String, Entry> f = fields.fields(item, "a timeline step", allowed, "'- at: 5s' and 'migrate: kv'"
                + " and 'to: h3'");
        if (f == null) {
            return null;
        }
        List<String> verbs = VERBS.stream().filter(f::containsKey).toList();
        if (verbs.size() != 1) {
            problems.add(line(item), verbs.isEmpty()
                    ? "a timeline step needs one of " + String.join(", ", VERBS) + ", e.g. 'migrate: kv'"
                    : "a timeline step does one thing; this one has " + String.join(" and ", verbs)
                            + "; write one step each");
            return null;
        }
        TimedStep.Start start = readStart(f);
        String verb = verbs.getFirst();
        int before = problems.count();
        TimelineStep step = switch (verb) {
            case "deploy" -> appName(f.get(verb)).map(TimelineStep.Deploy::new).orElse(null);
            case "stop" -> appName(f.get(verb)).map(TimelineStep.Stop::new).orElse(null);
            case "migrate" -> readMigrate(f);
            case "link" -> readLinkSet(f);
            case "cut", "restore" -> nodePair(f.get(verb))
                    .map(p -> new TimelineStep.LinkState(p.get(0), p.get(1), verb.equals("restore"))).orElse(null);
            case "wait" -> readWait(f.get(verb));
            case "repeat" -> readRepeat(f);
            case "crash", "restart", "freeze", "thaw" -> appName(f.get(verb))
                    .map(host -> new TimelineStep.HostFault(verb, host)).orElse(null);
            case "flap" -> readFlap(f);
            default -> throw new IllegalStateException(verb);
        };
        refuseOthers(f, verb);
        return step == null || problems.count() > before ? null : new TimedStep(start, step, line(item));
    }

    /** Keys that belong to other verbs are mistakes here, e.g. {@code to:} on a {@code stop} step. */
    private void refuseOthers(Map<String, Entry> f, String verb) {
        List<String> own = switch (verb) {
            case "migrate" -> {
                List<String> k = new ArrayList<>(List.of("to", "strategy"));
                k.addAll(MIGRATE_OPTIONS);
                yield k;
            }
            case "link" -> List.of("set");
            case "repeat" -> List.of("steps");
            case "flap" -> List.of("period", "count");
            default -> List.of();
        };
        for (Entry e : f.values()) {
            if (!e.key().equals(verb) && !TIMING.contains(e.key()) && !own.contains(e.key())) {
                problems.add(line(e.keyNode()), "'" + e.key() + "' does not belong to a '" + verb + "' step"
                        + (own.isEmpty() ? "" : "; it takes " + String.join(", ", own)));
            }
        }
    }

    private TimedStep.Start readStart(Map<String, Entry> f) {
        Entry at = f.get("at");
        Entry after = f.get("after");
        if (at != null && after != null) {
            problems.add(line(after.keyNode()), "a step starts either 'at:' a time or 'after:' the previous one,"
                    + " not both");
        }
        if (at != null) {
            Duration d = fields.value(at, "at: 10s", YamlTimelineReader::duration);
            return d == null ? new TimedStep.Start.Next() : new TimedStep.Start.At(d);
        }
        if (after != null) {
            Duration d = fields.value(after, "after: 2s", YamlTimelineReader::duration);
            return d == null ? new TimedStep.Start.Next() : new TimedStep.Start.After(d);
        }
        return new TimedStep.Start.Next();
    }

    private Optional<String> appName(Entry e) {
        return Optional.ofNullable(fields.text(e, e.key() + ": client"));
    }

    private TimelineStep readMigrate(Map<String, Entry> f) {
        Entry appEntry = f.get("migrate");
        String app = fields.text(appEntry, "migrate: kv");
        Entry to = f.get("to");
        if (to == null) {
            problems.add(line(appEntry.keyNode()), "a migrate step needs its target host, e.g. 'to: h3'");
            return null;
        }
        String host = fields.text(to, "to: h3");
        String strategy = "auto";
        Entry s = f.get("strategy");
        if (s != null) {
            strategy = fields.text(s, "strategy: pre-copy");
            if (strategy != null && !STRATEGIES.contains(strategy)) {
                problems.add(line(s.value()), "strategy '" + strategy + "' is unknown"
                        + Suggestions.didYouMean(strategy, STRATEGIES) + "; strategies: "
                        + String.join(", ", STRATEGIES));
                strategy = null;
            }
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (String key : MIGRATE_OPTIONS) {
            Entry e = f.get(key);
            String text = e == null ? null : fields.text(e, key + ": ...");
            if (text != null) {
                options.put(key, text);
            }
        }
        return app == null || host == null || strategy == null ? null
                : new TimelineStep.Migrate(app, host, strategy, options);
    }

    private TimelineStep readLinkSet(Map<String, Entry> f) {
        Entry link = f.get("link");
        Optional<List<String>> pair = nodePair(link);
        Entry set = f.get("set");
        if (set == null) {
            problems.add(line(link.keyNode()), "a link step says what to change, e.g. 'set: {bw: 100, delay: 5ms}'"
                    + " (to cut or restore it, write 'cut: [h2, s1]' or 'restore: [h2, s1]')");
            return null;
        }
        Map<String, Entry> params = fields.fields(set.value(), "'set'", LinkParams.KEYS, "'set: {bw: 100}'");
        if (params == null || pair.isEmpty()) {
            return null;
        }
        Map<String, String> settings = new LinkedHashMap<>();
        int before = problems.count();
        for (Entry e : params.values()) {
            String text = fields.text(e, e.key() + ": ...");
            if (text == null) {
                continue;
            }
            try {
                if (!text.equals("none")) {
                    LinkParams.NONE.with(e.key(), text);
                }
                settings.put(e.key(), text);
            } catch (IllegalArgumentException ex) {
                problems.add(line(e.value()), YamlDraftReader.keyed(e.key(), ex.getMessage()));
            }
        }
        if (settings.isEmpty() && problems.count() == before) {
            problems.add(line(set.keyNode()), "'set' changes nothing; write e.g. 'set: {bw: 100}'");
            return null;
        }
        return new TimelineStep.LinkSet(pair.get().get(0), pair.get().get(1), settings);
    }

    private Optional<List<String>> nodePair(Entry e) {
        List<String> nodes = scalars(e.value(), "'" + e.key() + "'");
        if (nodes.size() != 2) {
            problems.add(line(e.keyNode()), "'" + e.key() + "' names the link by its two nodes, e.g. '"
                    + e.key() + ": [h2, s1]'");
            return Optional.empty();
        }
        return Optional.of(nodes);
    }

    private TimelineStep readWait(Entry e) {
        if (e.value() instanceof ScalarNode && !isNull(e.value())) {
            Duration d = fields.value(e, "wait: 5s", YamlTimelineReader::duration);
            return d == null ? null : new TimelineStep.Pause(d);
        }
        Map<String, Entry> f = fields.fields(e.value(), "'wait'", List.of("app", "until", "timeout"),
                "'wait: 5s' or 'wait: {app: client, until: \"log:done\", timeout: 30s}'");
        if (f == null) {
            return null;
        }
        if (!f.containsKey("app") || !f.containsKey("until")) {
            problems.add(line(e.keyNode()), "a wait for an app names the app and the condition, e.g."
                    + " 'wait: {app: client, until: \"log:done\"}' (or udp:PORT, tcp:PORT, exit, after:D)");
            return null;
        }
        Entry timeoutEntry = f.get("timeout");
        Duration timeout = timeoutEntry == null ? DEFAULT_WAIT_TIMEOUT
                : fields.value(timeoutEntry, "timeout: 30s", YamlTimelineReader::duration);
        String app = fields.text(f.get("app"), "app: client");
        MigrationRecipe.Condition until = fields.value(f.get("until"), "until: log:done",
                t -> MigrationRecipe.Condition.parse(t, "until"));
        return app == null || until == null || timeout == null ? null
                : new TimelineStep.AwaitApp(app, until, timeout);
    }

    private TimelineStep readRepeat(Map<String, Entry> f) {
        Entry times = f.get("repeat");
        Integer n = fields.value(times, "repeat: 3", YamlTimelineReader::count);
        Entry steps = f.get("steps");
        if (steps == null) {
            problems.add(line(times.keyNode()), "a repeat step lists what to repeat under 'steps:'");
            return null;
        }
        List<TimedStep> inner = readSteps(steps.value(), "steps");
        if (inner.isEmpty() && !isNull(steps.value())) {
            return null;
        }
        return n == null ? null : new TimelineStep.Repeat(n, inner);
    }

    /** {@code flap: [h1, s1]} with {@code period: 2s} (each half down, half up) and {@code count: 5}. */
    private TimelineStep readFlap(Map<String, Entry> f) {
        Entry flap = f.get("flap");
        Optional<List<String>> pair = nodePair(flap);
        Duration period = f.containsKey("period") ? fields.value(f.get("period"), "period: 2s",
                YamlTimelineReader::duration) : null;
        Integer count = f.containsKey("count") ? fields.value(f.get("count"), "count: 5", YamlTimelineReader::count)
                : null;
        if (!f.containsKey("period") || !f.containsKey("count")) {
            problems.add(line(flap.keyNode()), "a flap says how long a cycle is and how many, e.g. 'period: 2s' and"
                    + " 'count: 5'");
            return null;
        }
        if (period != null && period.toMillis() < 2) {
            problems.add(line(f.get("period").value()), "period: a cycle takes at least 2 ms (half down, half up)");
            return null;
        }
        return pair.isEmpty() || period == null || count == null ? null
                : new TimelineStep.Flap(pair.get().get(0), pair.get().get(1), period, count);
    }

    private List<String> scalars(Node node, String what) {
        if (!(node instanceof SequenceNode seq)) {
            problems.add(line(node), what + " must be a list like [a, b]; found " + describe(node));
            return List.of();
        }
        List<String> values = new ArrayList<>();
        for (Node item : seq.getValue()) {
            if (item instanceof ScalarNode s && !isNull(item)) {
                values.add(s.getValue());
            } else {
                problems.add(line(item), "each item of " + what + " must be a single value; found " + describe(item));
            }
        }
        return values;
    }

    private static Duration duration(String text) {
        return MigrationRecipe.withinADay(text);
    }

    private static Integer count(String text) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= 1 && n <= MAX_REPEAT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + text + "' is not a count from 1 to " + MAX_REPEAT);
    }
}
