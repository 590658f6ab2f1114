package net.mignet.topo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How any program hands its state to a successor, in data rather than code:
 * <pre>
 * successor: python3 server.py {host} --get_state   # default: the old command line
 * ready: udp:9999          # when the successor can take the state: udp:PORT | tcp:PORT | log:REGEX | after:DURATION
 * trigger: TERM            # what makes the old instance hand over: a signal, TERM*3/1s, or exec:COMMAND
 * done: log:Got the state  # when the successor has it: log:REGEX | udp:PORT | tcp:PORT | exit | after:DURATION
 * grace: 1s                # retire: SIGTERM, then SIGKILL after this long
 * </pre>
 * Placeholders in the successor and in {@code exec:} commands: {@code {app}}, {@code {host}} (the target),
 * {@code {from}} (the source), {@code {from_ip}} and {@code {to_ip}} (the two hosts' state-network addresses).
 *
 * @param successor the successor's command line as words with placeholders, or null for the old command line
 */
public record MigrationRecipe(List<String> successor, Condition ready, Trigger trigger, Condition done,
        Duration grace) implements MigrationMethod {

    public static final List<String> KEYS = List.of("successor", "ready", "trigger", "done", "grace");

    /**
     * Why recipe keys cannot go with {@code strategy}, which would ignore them; empty for the strategies that take
     * them (none named, {@code auto}, {@code recipe}). The shell's migrate and a timeline's step say it alike.
     */
    public static java.util.Optional<String> keysIgnoredBy(String strategy) {
        if (strategy == null || strategy.equals("recipe") || strategy.equals("auto")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("the recipe keys (" + String.join(", ", KEYS) + ") are the recipe strategy's;"
                + " strategy " + strategy + " would ignore them: drop them, or the strategy");
    }
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(1);
    public static final List<String> PLACEHOLDERS = List.of("app", "host", "from", "from_ip", "to_ip");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_]+)}");

    /** The default recipe: the same command, ready at once, SIGTERM, done when the old instance exits. */
    public static final MigrationRecipe DEFAULT = new MigrationRecipe(null, new Condition.Immediately(),
            new Trigger.Signal("TERM", 1, Duration.ZERO), new Condition.Exited(), DEFAULT_GRACE);

    public MigrationRecipe {
        successor = successor == null ? null : List.copyOf(successor);
        if (successor != null) {
            if (successor.isEmpty()) {
                throw new IllegalArgumentException("successor: is empty; write the successor's command line,"
                        + " e.g. 'python3 server.py {host} --get_state'");
            }
            successor.forEach(MigrationRecipe::checkPlaceholders);
        }
        if (trigger instanceof Trigger.Exec exec) {
            exec.argv().forEach(MigrationRecipe::checkPlaceholders);
        }
        if (ready instanceof Condition.Exited) {
            throw new IllegalArgumentException("ready: 'exit' cannot say the successor is ready (the old instance"
                    + " has not been asked to hand over yet); write udp:PORT, tcp:PORT, log:REGEX or after:DURATION");
        }
    }

    @Override
    public String strategy() {
        return "recipe";
    }

    /** The recipe with one key set from its text, e.g. {@code with("ready", "udp:9999")}. */
    public MigrationRecipe with(String key, String text) {
        return switch (key) {
            case "successor" -> new MigrationRecipe(words(text), ready, trigger, done, grace);
            case "ready" -> new MigrationRecipe(successor, Condition.parse(text, "ready"), trigger, done, grace);
            case "trigger" -> new MigrationRecipe(successor, ready, Trigger.parse(text), done, grace);
            case "done" -> new MigrationRecipe(successor, ready, trigger, Condition.parse(text, "done"), grace);
            case "grace" -> new MigrationRecipe(successor, ready, trigger, done, duration(text, "grace"));
            default -> throw new IllegalArgumentException("unknown recipe key '" + key + "'"
                    + Suggestions.didYouMean(key, KEYS) + "; the keys are " + String.join(", ", KEYS));
        };
    }

    /** A recipe from key/value texts on top of the defaults; the message of a bad value names its key. */
    public static MigrationRecipe of(Map<String, String> keyValues) {
        MigrationRecipe recipe = DEFAULT;
        for (Map.Entry<String, String> e : keyValues.entrySet()) {
            recipe = recipe.with(e.getKey(), e.getValue());
        }
        return recipe;
    }

    /** The recipe's keys and values as they would be written. */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("successor", successor == null ? "(the old command line)" : String.join(" ", successor));
        m.put("ready", ready.toString());
        m.put("trigger", trigger.toString());
        m.put("done", done.toString());
        m.put("grace", grace.toMillis() + "ms");
        return m;
    }

    /** The successor's argument vector: the template with placeholders filled, or the old command line. */
    public List<String> successorArgv(List<String> oldArgv, Map<String, String> values) {
        return successor == null ? List.copyOf(oldArgv) : fill(successor, values);
    }

    /** Fills {@code {name}} placeholders word by word; a word never splits, whatever a value contains. */
    public static List<String> fill(List<String> template, Map<String, String> values) {
        List<String> out = new ArrayList<>(template.size());
        for (String word : template) {
            Matcher m = PLACEHOLDER.matcher(word);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String v = values.get(m.group(1));
                if (v == null) {
                    throw new IllegalArgumentException("no value for {" + m.group(1) + "}");
                }
                m.appendReplacement(sb, Matcher.quoteReplacement(v));
            }
            m.appendTail(sb);
            out.add(sb.toString());
        }
        return out;
    }

    private static void checkPlaceholders(String word) {
        Matcher m = PLACEHOLDER.matcher(word);
        while (m.find()) {
            if (!PLACEHOLDERS.contains(m.group(1))) {
                throw new IllegalArgumentException("unknown placeholder {" + m.group(1) + "} in '" + word + "'"
                        + Suggestions.didYouMean(m.group(1), PLACEHOLDERS) + "; the placeholders are {"
                        + String.join("}, {", PLACEHOLDERS) + "}");
            }
        }
    }

    static List<String> words(String text) {
        List<String> w = Words.split(text);
        if (w.isEmpty()) {
            throw new IllegalArgumentException("successor: is empty; write the successor's command line, e.g."
                    + " 'python3 server.py {host} --get_state'");
        }
        return w;
    }

    static int port(String text, String key) {
        try {
            int p = Integer.parseInt(text.trim());
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(key + ": '" + text + "' is not a port number (1-65535)");
    }

    static Duration duration(String text, String key) {
        try {
            return withinADay(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
        }
    }

    /** A duration of a recipe or a timeline: at most a day, which no wait of an experiment needs to exceed. */
    static Duration withinADay(String text) {
        Duration d = LinkParams.parseDuration(text);
        if (d.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is more than a day");
        }
        return d;
    }

    /** When the successor is ready ({@code ready}) or has the state ({@code done}). */
    public sealed interface Condition {
        /** A socket bound to {@code port} by the successor's own processes. */
        record PortBound(String protocol, int port) implements Condition {
            @Override
            public String toString() {
                return protocol + ":" + port;
            }
        }

        /** A line of the successor's output (since it was started, or since the trigger) matches. */
        record LogMatch(Pattern regex) implements Condition {
            @Override
            public String toString() {
                return "log:" + regex.pattern();
            }
        }

        /** A fixed wait. */
        record After(Duration duration) implements Condition {
            @Override
            public String toString() {
                return "after:" + duration.toMillis() + "ms";
            }
        }

        /** The old instance exited (done only). */
        record Exited() implements Condition {
            @Override
            public String toString() {
                return "exit";
            }
        }

        /** No wait (the default of ready). */
        record Immediately() implements Condition {
            @Override
            public String toString() {
                return "after:0ms";
            }
        }

        static Condition parse(String text, String key) {
            String t = text.trim();
            int colon = t.indexOf(':');
            String kind = (colon < 0 ? t : t.substring(0, colon)).toLowerCase(Locale.ROOT);
            String arg = colon < 0 ? "" : t.substring(colon + 1);
            return switch (kind) {
                case "udp", "tcp" -> new PortBound(kind, port(arg, key));
                case "log" -> {
                    if (arg.isEmpty()) {
                        throw new IllegalArgumentException(key + ": 'log:' needs a regular expression, e.g."
                                + " 'log:Got the counter'");
                    }
                    try {
                        yield new LogMatch(Pattern.compile(arg));
                    } catch (PatternSyntaxException e) {
                        throw new IllegalArgumentException(key + ": '" + arg + "' is not a regular expression: "
                                + e.getDescription());
                    }
                }
                case "after" -> arg.isEmpty() ? throwNeeds(key) : new After(duration(arg, key));
                case "exit" -> {
                    if (colon >= 0) {
                        throw new IllegalArgumentException(key + ": write just 'exit'");
                    }
                    yield new Exited();
                }
                default -> throw new IllegalArgumentException(key + ": '" + text + "' is not a condition; write"
                        + " udp:PORT, tcp:PORT, log:REGEX, " + ("done".equals(key) ? "exit, " : "")
                        + "or after:DURATION (e.g. udp:9999, log:Got the state, after:500ms)");
            };
        }

        private static Condition throwNeeds(String key) {
            throw new IllegalArgumentException(key + ": 'after:' needs a duration, e.g. after:500ms");
        }
    }

    /** What makes the old instance hand its state over. */
    public sealed interface Trigger {
        /** Linux signal names mignet accepts (without SIG), in signal-number order from 1. */
        List<String> SIGNALS = List.of("HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1",
                "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
                "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

        /** A signal, sent {@code count} times {@code interval} apart (as the original topology script does). */
        record Signal(String name, int count, Duration interval) implements Trigger {
            public Signal {
                if (!SIGNALS.contains(name)) {
                    throw new IllegalArgumentException("trigger: '" + name + "' is not a signal name"
                            + Suggestions.didYouMean(name, SIGNALS) + "; e.g. TERM, USR1, INT");
                }
                if (count < 1 || count > 100) {
                    throw new IllegalArgumentException("trigger: a signal is sent 1 to 100 times, not " + count);
                }
            }

            /** The Linux signal number. */
            public int number() {
                return SIGNALS.indexOf(name) + 1;
            }

            @Override
            public String toString() {
                return count == 1 ? name : name + "*" + count + "/" + interval.toMillis() + "ms";
            }
        }

        /** A command run in the old instance's host, e.g. {@code exec:redis-cli save}. */
        record Exec(List<String> argv) implements Trigger {
            public Exec {
                argv = List.copyOf(argv);
            }

            @Override
            public String toString() {
                return "exec:" + String.join(" ", argv);
            }
        }

        Pattern REPEATED = Pattern.compile("(?:SIG)?([A-Z0-9]+)(?:\\*(\\d+)(?:/(.+))?)?");

        static Trigger parse(String text) {
            String t = text.trim();
            if (t.regionMatches(true, 0, "exec:", 0, 5)) {
                List<String> argv = Words.split(t.substring(5));
                if (argv.isEmpty()) {
                    throw new IllegalArgumentException("trigger: 'exec:' needs a command, e.g."
                            + " 'exec:redis-cli save'");
                }
                return new Exec(argv);
            }
            Matcher m = REPEATED.matcher(t.toUpperCase(Locale.ROOT));
            if (!m.matches()) {
                throw new IllegalArgumentException("trigger: '" + text + "' is not a signal or command; write e.g."
                        + " TERM, USR1, TERM*3/1s (three times, 1 s apart) or exec:COMMAND");
            }
            int count = m.group(2) == null ? 1 : Integer.parseInt(m.group(2).length() > 3 ? "1000" : m.group(2));
            Duration interval = m.group(3) == null ? (count > 1 ? Duration.ofSeconds(1) : Duration.ZERO)
                    : duration(t.substring(t.indexOf('/') + 1), "trigger");
            return new Signal(m.group(1), count, interval);
        }
    }
}
