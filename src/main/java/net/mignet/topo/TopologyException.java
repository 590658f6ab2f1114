package net.mignet.topo;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A topology that cannot be built; carries every problem found, each saying where and what to write instead. */
public final class TopologyException extends RuntimeException {
    private final List<String> problems;

    /** Words longer than this are shortened in messages: a 1 MB name quoted back helps nobody. */
    private static final Pattern LONG_WORD = Pattern.compile("[^\\s']{" + 121 + ",}");
    /** A file with thousands of problems is reported by its first ones. */
    private static final int MAX_REPORTED = 50;

    public TopologyException(List<String> problems) {
        this(shorten(problems), true);
    }

    private TopologyException(List<String> problems, boolean shortened) {
        super(problems.size() == 1 ? problems.getFirst()
                : problems.size() + " problems in topology:\n  - " + String.join("\n  - ",
                        problems.subList(0, Math.min(problems.size(), MAX_REPORTED)))
                        + (problems.size() > MAX_REPORTED ? "\n  - ... and " + (problems.size() - MAX_REPORTED)
                                + " more" : ""));
        this.problems = problems;
    }

    private static List<String> shorten(List<String> problems) {
        return problems.stream().map(p -> LONG_WORD.matcher(p).replaceAll(m -> Matcher.quoteReplacement(
                m.group().substring(0, 60) + "...(" + m.group().length() + " characters)"))).toList();
    }

    public TopologyException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}
