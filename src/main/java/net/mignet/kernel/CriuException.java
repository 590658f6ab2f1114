package net.mignet.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A criu operation that failed, with the last error lines of its log and where the whole log is. */
public final class CriuException extends RuntimeException {
    private static final int QUOTED_LINES = 6;
    private final transient Path log;

    public CriuException(String what, Path log) {
        super(what + describe(log));
        this.log = log;
    }

    /** The operation's criu log file. */
    public Path log() {
        return log;
    }

    private static String describe(Path log) {
        List<String> quoted = lastErrors(log);
        return quoted.isEmpty() ? " (criu log " + log + " is empty or missing)"
                : "; criu said:\n  " + String.join("\n  ", quoted) + "\n(whole log: " + log + ")";
    }

    /**
     * The log's last lines that report an error; its last lines when none does. criu logs one error on every
     * run as root in a user namespace-less setup ("Can't setup RLIMIT_NOFILE" when the hard limit is already
     * lower than what it asks for); it is harmless and left out, so the quoted lines are the real cause.
     */
    static List<String> lastErrors(Path log) {
        List<String> lines;
        try {
            lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        } catch (IOException e) {
            return List.of("(cannot read " + log + ": " + e.getMessage() + ")");
        }
        List<String> errors = new ArrayList<>();
        for (String line : lines) {
            if (line.contains("Error (") && !line.contains("RLIMIT_NOFILE")) {
                errors.add(line.strip());
            }
        }
        List<String> source = errors.isEmpty() ? lines : errors;
        return List.copyOf(source.subList(Math.max(0, source.size() - QUOTED_LINES), source.size()));
    }
}
