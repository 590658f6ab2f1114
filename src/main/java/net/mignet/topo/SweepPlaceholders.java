package net.mignet.topo;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code ${name}} placeholders of a file with a {@code sweep:}: each must name one of its lists. */
final class SweepPlaceholders {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}\\n]*)}");

    private final Sweep sweep;
    private final String sourceName;

    SweepPlaceholders(Sweep sweep, String sourceName) {
        this.sweep = sweep;
        this.sourceName = sourceName;
    }

    void check(String yaml) {
        SourceProblems problems = new SourceProblems(sourceName);
        String[] lines = yaml.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = PLACEHOLDER.matcher(lines[i]);
            while (m.find()) {
                if (!sweep.axes().containsKey(m.group(1))) {
                    problems.add(i + 1, "${" + m.group(1) + "} names no list of the 'sweep:' section"
                            + Suggestions.didYouMean(m.group(1), sweep.axes().keySet().stream().toList())
                            + (sweep.axes().isEmpty() ? "; add 'sweep: {" + m.group(1) + ": [a, b]}'"
                                    : " (sweep: " + String.join(", ", sweep.axes().keySet()) + ")"));
                }
            }
        }
        problems.throwIfAny();
    }

    /** The file with every placeholder replaced by {@code 0}, a value any YAML context reads as plain. */
    static String neutralized(String yaml) {
        return PLACEHOLDER.matcher(yaml).replaceAll("0");
    }

    static String substitute(String yaml, Map<String, String> values) {
        return PLACEHOLDER.matcher(yaml).replaceAll(m -> Matcher.quoteReplacement(values.get(m.group(1))));
    }
}
