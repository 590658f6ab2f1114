package net.mignet.topo;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a shell line into words as sh does: whitespace separates, single or double quotes group, backslash
 * escapes (inside double quotes only {@code $ ` " \} and a newline, so {@code "%s\n"} keeps its {@code \n}).
 * The words become an argument vector directly; only the shell's host commands hand a line with an unquoted
 * shell metacharacter ({@code |}, {@code >}, {@code *}, ...) to {@code sh -c}, and they need to know which words
 * were quoted.
 */
public final class Words {
    private Words() {
    }

    /**
     * One word, whether any of it was quoted or escaped (then it is never a shell operator), and where it ends in
     * the line (the index after its last character, a closing quote included), so that what follows it can be
     * taken as typed.
     */
    public record Word(String text, boolean literal, int end) {
    }

    public static List<String> split(String line) {
        return splitMarked(line).stream().map(Word::text).toList();
    }

    public static List<Word> splitMarked(String line) {
        List<Word> words = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean inWord = false;
        boolean literal = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < line.length()
                        && "$`\"\\\n".indexOf(line.charAt(i + 1)) >= 0) {
                    current.append(line.charAt(++i)); // as sh: inside "...", a backslash escapes only these
                } else {
                    current.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
                literal = true;
            } else if (c == '\\' && i + 1 < line.length()) {
                current.append(line.charAt(++i));
                inWord = true;
                literal = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(new Word(current.toString(), literal, i));
                    current.setLength(0);
                    inWord = false;
                    literal = false;
                }
            } else {
                current.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unclosed " + quote + " quote");
        }
        if (inWord) {
            words.add(new Word(current.toString(), literal, line.length()));
        }
        return words;
    }
}
