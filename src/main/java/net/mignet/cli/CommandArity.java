package net.mignet.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How many words a shell command takes after its verb, read from its usage line, so that every command refuses
 * extra words with its usage instead of ignoring them. The usage convention: {@code <word>} or {@code a|b} is one
 * required word, {@code [...]} holds optional words (one per word inside), and {@code ...} anywhere in a part
 * means any number of words from there on.
 */
record CommandArity(int min, int max) {
    static final int UNBOUNDED = Integer.MAX_VALUE;

    /** The arity of a usage line such as {@code logs <app> [lines]}; empty when the line does not parse. */
    static Optional<CommandArity> of(String usage) {
        List<String> parts = parts(usage.strip());
        if (parts == null || parts.isEmpty()) {
            return Optional.empty();
        }
        int min = 0;
        int max = 0;
        for (String part : parts.subList(1, parts.size())) {
            if (part.contains("...")) {
                max = UNBOUNDED;
            }
            if (part.startsWith("[")) {
                if (max != UNBOUNDED) {
                    max += part.substring(1, part.length() - 1).strip().split("\\s+").length;
                }
            } else {
                min++;
                if (max != UNBOUNDED) {
                    max++;
                }
            }
        }
        return Optional.of(new CommandArity(min, max));
    }

    /** The usage's words at bracket depth 0, a bracketed group counting as one; null when brackets do not match. */
    private static List<String> parts(String usage) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        int depth = 0;
        for (char c : usage.toCharArray()) {
            if (c == '[') {
                depth++;
            } else if (c == ']' && --depth < 0) {
                return null;
            }
            if (Character.isWhitespace(c) && depth == 0) {
                if (!part.isEmpty()) {
                    parts.add(part.toString());
                    part.setLength(0);
                }
            } else {
                part.append(c);
            }
        }
        if (depth != 0) {
            return null;
        }
        if (!part.isEmpty()) {
            parts.add(part.toString());
        }
        return parts;
    }

    boolean accepts(int words) {
        return words >= min && words <= max;
    }
}
