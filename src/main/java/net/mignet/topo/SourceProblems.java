package net.mignet.topo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Problems found in one topology file, each tied to the line it is about, reported together in line order. */
final class SourceProblems {
    /** For problems about the file as a whole, which sort before the others. */
    static final int NO_LINE = 0;

    private record Problem(int line, String message) {
    }

    private final String source;
    private final String context;
    private final List<Problem> problems = new ArrayList<>();

    SourceProblems(String source) {
        this(source, null);
    }

    /** @param context said after each message in parentheses, or null */
    SourceProblems(String source, String context) {
        this.source = source;
        this.context = context;
    }

    /** What messages call the text, usually its file name. */
    String source() {
        return source;
    }

    void add(int line, String message) {
        problems.add(new Problem(line, message));
    }

    /** Lets a reader tell whether the part it just read had problems, without tracking each value. */
    int count() {
        return problems.size();
    }

    /** Throws everything found so far as one exception; does nothing when nothing was found. */
    void throwIfAny() {
        if (!problems.isEmpty()) {
            throw toException();
        }
    }

    TopologyException toException() {
        List<String> messages = problems.stream()
                .sorted(Comparator.comparingInt(Problem::line))
                .map(p -> (p.line() == NO_LINE ? source : source + ":" + p.line()) + ": " + p.message()
                        + (context == null ? "" : " (" + context + ")"))
                .toList();
        return new TopologyException(messages);
    }
}
