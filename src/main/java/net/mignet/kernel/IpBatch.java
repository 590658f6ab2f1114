package net.mignet.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Many {@code ip} (or {@code tc}) commands run by one process reading them from standard input: setting up a
 * thousand links costs one fork, not a thousand.
 *
 * <p>Every word is written double-quoted, so the batch reader splits lines only where we did. Quoting does not
 * stop {@code ip} from reading a name as a keyword ({@code ip link set alias up} sets an alias): callers put
 * names after the keyword that takes them ({@code name}, {@code dev}, {@code master}, {@code peer name}).
 */
public final class IpBatch {
    private static final Pattern FAILED_LINE = Pattern.compile("Command failed -:(\\d+)");

    private final String tool;
    private final String namespace;
    private final List<String> lines = new ArrayList<>();
    /** What each line builds, in words for people (a link, a switch), or null. */
    private final List<String> subjects = new ArrayList<>();

    private IpBatch(String tool, String namespace) {
        this.tool = tool;
        this.namespace = namespace;
    }

    /** A batch of {@code ip} commands run in the root namespace (for {@code netns add/del}). */
    public static IpBatch ip() {
        return new IpBatch("ip", null);
    }

    /** A batch of {@code ip} commands run inside a named namespace. */
    public static IpBatch ipIn(String namespace) {
        return new IpBatch("ip", namespace);
    }

    /** A batch of {@code tc} commands run inside a named namespace. */
    public static IpBatch tcIn(String namespace) {
        return new IpBatch("tc", namespace);
    }

    /** Adds one command. */
    public IpBatch add(String... words) {
        return addFor(null, words);
    }

    /**
     * Adds one command building {@code subject} (e.g. "link h1:h1-eth0 <-> s1:s1-h1"), which an error then names.
     */
    public IpBatch addFor(String subject, String... words) {
        StringBuilder line = new StringBuilder();
        for (String w : words) {
            if (!quotable(w)) {
                throw new IllegalArgumentException("'" + w + "' cannot be passed to " + tool + " safely");
            }
            line.append(line.isEmpty() ? "" : " ").append('"').append(w).append('"');
        }
        lines.add(line.toString());
        subjects.add(subject);
        return this;
    }

    /** The batch reader ends a quoted word at the next quote and cuts lines at '#' even inside quotes. */
    static boolean quotable(String word) {
        return !word.isEmpty() && word.chars().noneMatch(c -> c == '"' || c == '#' || c < 0x20 || c == 0x7f);
    }

    public boolean isEmpty() {
        return lines.isEmpty();
    }

    public int size() {
        return lines.size();
    }

    /** Runs the batch; on failure the error names the command that failed and what it was building. */
    public void run() {
        if (lines.isEmpty()) {
            return;
        }
        List<String> argv = new ArrayList<>();
        argv.add(tool);
        if (namespace != null) {
            argv.add("-n");
            argv.add(namespace);
        }
        argv.add("-batch");
        argv.add("-");
        CommandResult result = Command.run(argv, String.join("\n", lines) + "\n", Command.DEFAULT_TIMEOUT);
        if (!result.ok()) {
            Matcher m = FAILED_LINE.matcher(result.stderr());
            int index = m.find() ? Integer.parseInt(m.group(1)) - 1 : -1;
            boolean known = index >= 0 && index < lines.size();
            String failed = known ? lines.get(index).replace("\"", "") : "(unknown line)";
            String subject = known ? subjects.get(index) : null;
            String reason = result.stderr().lines().filter(l -> !FAILED_LINE.matcher(l).find())
                    .map(String::strip).filter(l -> !l.isEmpty()).reduce((x, y) -> x + "; " + y).orElse("no message");
            throw new CommandException((subject == null ? "" : "cannot build " + subject + ": ") + tool
                    + (namespace == null ? "" : " -n " + namespace) + " refused '" + failed + "': " + reason
                    + (subject == null ? "" : "; change " + subject + " in the topology (its names, addresses or"
                            + " parameters) and try again"), null);
        }
    }
}
