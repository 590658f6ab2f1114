package net.mignet.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Many {@code ip} (or {@code tc}) commands run by one process reading them from standard input: setting up a
 * thousand links costs one fork, not a thousand.
 */
public final class IpBatch {
    private static final Pattern FAILED_LINE = Pattern.compile("Command failed -:(\\d+)");

    private final String tool;
    private final String namespace;
    private final List<String> lines = new ArrayList<>();

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

    /** Adds one command; its words are joined with spaces, so none may contain whitespace. */
    public IpBatch add(String... words) {
        for (String w : words) {
            if (w.isEmpty() || w.chars().anyMatch(Character::isWhitespace) || w.contains("\"") || w.contains("#")) {
                throw new IllegalArgumentException("'" + w + "' cannot be passed to " + tool + " safely");
            }
        }
        lines.add(String.join(" ", words));
        return this;
    }

    public boolean isEmpty() {
        return lines.isEmpty();
    }

    public int size() {
        return lines.size();
    }

    /** Runs the batch; on failure the error names the command that failed, not just its line number. */
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
            String failed = m.find() ? lines.get(Integer.parseInt(m.group(1)) - 1) : "(unknown line)";
            throw new CommandException(tool + (namespace == null ? "" : " -n " + namespace) + " failed at '"
                    + failed + "': " + result.stderr().strip(), null);
        }
    }
}
