package net.mignet.cli;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A host command typed with shell operators, as Mininet users type them ({@code h1 ps -e | head}, {@code h1 ping
 * -c1 h2 > /tmp/out}): run through {@code sh -c}, so that the pipe or redirection works instead of reaching the
 * program as an argument. Only an operator that is a word of its own counts; every other word is quoted for sh, so
 * it arrives exactly as without operators (no globbing, no variables).
 */
final class ShellOperators {
    private static final Set<String> OPERATORS = Set.of("|", "||", "&&", ";", "&", ">", ">>", "<", "2>", "2>>",
            "2>&1", ">&2", "|&");

    private ShellOperators() {
    }

    /** {@code argv} as it is, or {@code sh -c} with its words when one of them is a shell operator. */
    static List<String> argv(List<String> words) {
        if (words.stream().noneMatch(OPERATORS::contains)) {
            return words;
        }
        String line = words.stream().map(w -> OPERATORS.contains(w) ? w : quote(w)).collect(Collectors.joining(" "));
        return List.of("sh", "-c", line);
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
