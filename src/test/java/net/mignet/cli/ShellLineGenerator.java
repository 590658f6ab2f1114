package net.mignet.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.mignet.topo.Names;

/**
 * Malformed and hostile lines for the {@code mignet>} shell, made deterministically (one seed, one sequence) from a
 * frozen list of example lines kept beside this class: truncations, words replaced by wrong types, extreme numbers
 * and reserved or keyword names, extra words, lines up to 200 KB, binary junk and unknown verbs. Program names on
 * a host are never made up: only the seeds' own harmless ones appear.
 */
public final class ShellLineGenerator {
    private static final String SEEDS = "shell-fuzz-seeds.txt";
    private static final List<String> HOSTILE = List.of("", "-1", "-5", "0", "-0", "2147483647", "2147483648",
            "-2147483649", "9223372036854775808", "99999999999999999999", "1e308", "-1e308", "0.0000001", "NaN",
            "Infinity", "abc", "0x10", "1.5", "--", "-", "--help", "-h", "--strategy", "--rounds", "--no-tty",
            "'", "\"", "\\", "''", "\"\"", "help", "exit", "quit", "all", "default", "lo", "dev", "name", "type",
            "netns", "master", "mtu", "group", "index", "up", "down", "set", "add", "del", "mod", "alias", "clear",
            "none", "from=", "from=h9", "delay=", "delay=99999999999999999999ms", "bw=1e308", "loss=200%",
            "actions=", "actions=output:nowhere", "priority=99999999999", "in_port=", "nw_dst=300.1.1.1",
            "$(id)", "`id`", ";", "&&", "|", "*", "~", "../../etc/passwd", "%s%n%x", "{host}", "h1", "h2", "s1",
            "h99", "s1-h1", "h1-eth0", "web", "srv", "\u00fc\u00df", "\u2603", "\uD83D\uDE00", "\u202E", "\t",
            "key=", "=value", "a=b=c", "successor=", "ready=udp:99999", "trigger=SIGNOPE", "grace=-1s");
    private final List<String> seeds;
    private final Random random;

    public ShellLineGenerator(long seed) {
        this.seeds = loadSeeds();
        this.random = new Random(seed);
    }

    public static List<String> loadSeeds() {
        try (InputStream in = ShellLineGenerator.class.getResourceAsStream(SEEDS)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + SEEDS + " beside " + ShellLineGenerator.class);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("# Frozen") && !l.startsWith("# copying")).toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + SEEDS + ": " + e.getMessage(), e);
        }
    }

    public String next() {
        String line = seeds.get(random.nextInt(seeds.size()));
        int mutations = 1 + random.nextInt(2);
        for (int i = 0; i < mutations; i++) {
            line = mutate(line);
        }
        return line;
    }

    private String mutate(String line) {
        List<String> words = new ArrayList<>(List.of(line.split(" ", -1)));
        return switch (random.nextInt(10)) {
            case 0 -> line.substring(0, random.nextInt(line.length() + 1)); // cut anywhere, quotes included
            case 1 -> String.join(" ", words.subList(0, random.nextInt(words.size() + 1)));
            case 2, 3 -> replace(words, 1 + random.nextInt(words.size() - 1 + 1) - 1, hostile());
            case 4 -> {
                words.add(random.nextInt(words.size() + 1), hostile());
                yield String.join(" ", words);
            }
            case 5 -> line + " extra words".repeat(1 + random.nextInt(3));
            case 6 -> longLine(words);
            case 7 -> junk(1 + random.nextInt(random.nextBoolean() ? 40 : 4000));
            case 8 -> unknownVerb() + (words.size() > 1 ? " " + String.join(" ", words.subList(1, words.size())) : "");
            default -> {
                if (words.size() > 2) {
                    java.util.Collections.swap(words, 1 + random.nextInt(words.size() - 1),
                            1 + random.nextInt(words.size() - 1));
                }
                yield String.join(" ", words);
            }
        };
    }

    private String replace(List<String> words, int index, String with) {
        // The verb itself stays unless it is a host's: then the program after it stays, so no new program runs.
        boolean hostLine = words.getFirst().matches("h[0-9]+");
        int first = hostLine ? 2 : 1;
        if (words.size() <= first) {
            words.add(with);
        } else {
            words.set(Math.max(first, Math.min(index, words.size() - 1)), with);
        }
        return String.join(" ", words);
    }

    private String hostile() {
        if (random.nextInt(8) == 0) { // a word of another seed: right type, wrong place
            String other = seeds.get(random.nextInt(seeds.size()));
            String[] w = other.split(" ");
            return w[random.nextInt(w.length)];
        }
        return HOSTILE.get(random.nextInt(HOSTILE.size()));
    }

    /** A line of 1 KB to 200 KB: one huge word, or very many words. */
    private String longLine(List<String> words) {
        int[] sizes = {1_000, 65_536, 100_000, 100_001, 131_072, 204_800};
        int size = sizes[random.nextInt(sizes.length)];
        String unit = random.nextBoolean() ? "x" : hostile() + " ";
        if (unit.isBlank()) {
            unit = "y ";
        }
        StringBuilder b = new StringBuilder(String.join(" ", words)).append(' ');
        while (b.length() < size) {
            b.append(unit);
        }
        return b.substring(0, size);
    }

    private String junk(int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(random.nextInt(4) == 0 ? (char) random.nextInt(0x10000) : (char) random.nextInt(256));
        }
        return b.toString();
    }

    /** Never a real verb: a made-up 'sh' would run the seed's words as a program on the machine itself. */
    private String unknownVerb() {
        StringBuilder b = new StringBuilder();
        for (int i = 0, n = 1 + random.nextInt(12); i < n; i++) {
            b.append((char) ('a' + random.nextInt(26)));
        }
        String verb = b.toString();
        return Names.SHELL_WORDS.contains(verb) ? verb + "x" : verb;
    }
}
