package net.mignet.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.mignet.topo.Words;

/**
 * A host command as Mininet users type it, for a shell: {@code h1 ps -e | head}, {@code h1 ping -c1 h2|grep ttl},
 * {@code h1 ping -W1 10.0.0.77 2>/dev/null || echo down}, {@code h1 ls *.yaml}, {@code h1 echo $HOME}. A line with
 * an unquoted shell metacharacter (an operator, a redirection, a glob, a variable, a subshell) runs through
 * {@code sh -c}: its unquoted words as typed, so that sh reads them as it would have; its quoted ones quoted again,
 * so they arrive exactly as typed ({@code grep '|' file} keeps its {@code |}). A line without one runs directly,
 * its words the program and its arguments. Host names become addresses also inside an unquoted word, between its
 * operators ({@code h2|grep}). The metacharacters are POSIX sh's (the machine's sh may be dash).
 */
final class ShellOperators {
    /** Characters that make sh read a word differently from its text: operators, redirections, expansions. */
    private static final Pattern META = Pattern.compile("[|&;<>()$`*?\\[]|^~");
    /** An unquoted word's operator characters, between which host names are looked for. */
    private static final Pattern OPERATOR_RUN = Pattern.compile("[|&;<>()]+");

    private ShellOperators() {
    }

    /** As {@link #argv(List, UnaryOperator)}, leaving host names alone. */
    static List<String> argv(List<Words.Word> words) {
        return argv(words, UnaryOperator.identity());
    }

    /**
     * The words as an argument vector, or {@code sh -c} with them when an unquoted one has a metacharacter;
     * {@code hostAddress} turns a host's name into its address (and leaves any other word alone).
     */
    static List<String> argv(List<Words.Word> words, UnaryOperator<String> hostAddress) {
        if (words.stream().noneMatch(ShellOperators::needsShell)) {
            return words.stream().map(w -> hostAddress.apply(w.text())).toList();
        }
        List<String> line = new ArrayList<>();
        for (Words.Word w : words) {
            line.add(w.literal() ? quote(hostAddress.apply(w.text())) : withAddresses(w.text(), hostAddress));
        }
        return List.of("sh", "-c", String.join(" ", line));
    }

    private static boolean needsShell(Words.Word w) {
        return !w.literal() && META.matcher(w.text()).find();
    }

    /** An unquoted word with each part between operator characters that names a host replaced by its address. */
    private static String withAddresses(String word, UnaryOperator<String> hostAddress) {
        StringBuilder out = new StringBuilder();
        Matcher m = OPERATOR_RUN.matcher(word);
        int at = 0;
        while (m.find()) {
            out.append(hostAddress.apply(word.substring(at, m.start()))).append(m.group());
            at = m.end();
        }
        return out.append(hostAddress.apply(word.substring(at))).toString();
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
