package net.mignet.cli;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import net.mignet.topo.Words;

/**
 * A host command typed with shell operators, as Mininet users type them ({@code h1 ps -e | head}, {@code h1 ping
 * -c1 h2 > /tmp/out}): run through {@code sh -c}, so that the pipe or redirection works instead of reaching the
 * program as an argument. Only an unquoted operator that is a word of its own counts ({@code '|'} stays an
 * argument); every other word is quoted for sh, so it arrives exactly as without operators (no globbing, no
 * variables). The operators are POSIX sh's (the machine's sh may be dash), so bash's {@code |&} is not one.
 */
final class ShellOperators {
    static final Set<String> OPERATORS = Set.of("|", "||", "&&", ";", "&", ">", ">>", "<", "2>", "2>>", "2>&1",
            ">&2");

    private ShellOperators() {
    }

    /** The words as an argument vector, or {@code sh -c} with them when one of them is an unquoted operator. */
    static List<String> argv(List<Words.Word> words) {
        if (words.stream().noneMatch(ShellOperators::isOperator)) {
            return words.stream().map(Words.Word::text).toList();
        }
        String line = words.stream().map(w -> isOperator(w) ? w.text() : quote(w.text()))
                .collect(Collectors.joining(" "));
        return List.of("sh", "-c", line);
    }

    private static boolean isOperator(Words.Word w) {
        return !w.literal() && OPERATORS.contains(w.text());
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
