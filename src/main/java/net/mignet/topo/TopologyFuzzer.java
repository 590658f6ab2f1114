package net.mignet.topo;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Generates malformed and hostile topology documents from seed documents, for the loader's fuzz test and
 * {@code bench/FuzzBench}: truncations, wrong types, extreme numbers, reserved and keyword names, deep nesting,
 * alias bombs, long lines, binary junk, shuffled lines, and combinations. Document {@code i} depends only on the
 * seed number, {@code i} and the seed documents, so a failure is reproduced by its index alone.
 */
public final class TopologyFuzzer {
    /** One generated document and the mutation that made it. */
    public record Document(int index, String kind, String text) {
    }

    private record Mutation(String kind, BiFunction<String, Random, String> apply) {
    }

    private static final List<String> WRONG_VALUES = List.of("[]", "{}", "[1, 2]", "{a: b}", "null", "~", "true",
            "\"\"", "''", "!!binary aGVsbG8=", "&anchor x", "*undefined", "!!int 5", "!!float .nan", "[[[]]]",
            "{ends: {ends: {}}}", "- x", "? k", "!!set {a, b}", "!!map {}", "|\n  text", ">-", "@", "`", "%TAG");
    private static final List<String> EXTREME_NUMBERS = List.of("1e308", "-1", "0", "99999999999999999999",
            "NaN", ".inf", "-.inf", "0x7fffffff", "1e-300", "0.0000001", "4294967296", "-0", "1_000", "1e400",
            "9223372036854775808", "0.0", "256", "65536", "1023", "1024", "2147483648", "00000000001");
    private static final List<String> UNITS = List.of("", "ms", "us", "s", "%", "Mbit", "ns", "h");
    private static final List<String> HOSTILE_NAMES = List.of("all", "default", "lo", "alias", "a", "addr", "dev",
            "name", "type", "netns", "master", "mtu", "group", "index", "up", "down", "help", "exit", "quit",
            "nodes", "links", "pingall", "net", "_fabric", "..", ".", "-x", "x".repeat(40), "s1234567890123456",
            "\u00fcn\u00efcode", "h 1", "h:1", "h\t1", "1h", "null", "true", "~", "\"\"", "h1-eth0", "s1-h1",
            "mignet", "h/1", "h\\1", "'quoted'", "\"dq\"", "#comment", "&a", "*a", "h1,h2", "[h1]", "{h1}",
            "\u202eevil", "h\u00001", "-", "--", "0", "eth0", "br0", "veth0");
    private static final List<String> LINK_KEYS = List.of("bw", "delay", "jitter", "loss", "limit", "reorder",
            "duplicate", "corrupt", "distribution");
    private static final Pattern NODE_NAME = Pattern.compile("\\b[hs][0-9]+\\b");
    private static final Pattern NUMBER = Pattern.compile("[0-9]+(\\.[0-9]+)?");

    private final List<String> seeds;
    private final long seed;
    private final List<Mutation> mutations;

    /** @param seeds the documents to mutate (frozen copies, so the documents do not change with the examples) */
    public TopologyFuzzer(List<String> seeds, long seed) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("the fuzzer needs at least one seed document");
        }
        this.seeds = List.copyOf(seeds);
        this.seed = seed;
        this.mutations = List.of(
                new Mutation("truncation", TopologyFuzzer::truncate),
                new Mutation("wrong-type", TopologyFuzzer::wrongType),
                new Mutation("extreme-number", TopologyFuzzer::extremeNumber),
                new Mutation("extreme-link-parameter", TopologyFuzzer::extremeLinkParameter),
                new Mutation("hostile-name", TopologyFuzzer::hostileName),
                new Mutation("deep-nesting", (doc, r) -> deepNesting(r)),
                new Mutation("alias-bomb", TopologyFuzzer::aliasBomb),
                new Mutation("long-line", TopologyFuzzer::longLine),
                new Mutation("binary-junk", TopologyFuzzer::binaryJunk),
                new Mutation("line-shuffle", TopologyFuzzer::shuffleLines),
                new Mutation("combination", this::combination));
    }

    /** Document number {@code index}. */
    public Document document(int index) {
        Random r = new Random(seed * 1_000_003L + index);
        String base = seeds.get(r.nextInt(seeds.size()));
        Mutation m = mutations.get(index % mutations.size());
        return new Document(index, m.kind(), m.apply().apply(base, r));
    }

    private static String truncate(String doc, Random r) {
        return doc.substring(0, r.nextInt(doc.length() + 1));
    }

    /** The value of a random {@code key: value} line becomes a value of another shape. */
    private static String wrongType(String doc, Random r) {
        List<String> lines = new ArrayList<>(doc.lines().toList());
        for (int tries = 0; tries < 20; tries++) {
            int i = r.nextInt(lines.size());
            String line = lines.get(i);
            int colon = line.indexOf(": ");
            if (colon > 0) {
                lines.set(i, line.substring(0, colon + 2) + pick(WRONG_VALUES, r));
                return String.join("\n", lines) + "\n";
            }
        }
        return doc + "\nhosts: " + pick(WRONG_VALUES, r) + "\n";
    }

    private static String extremeNumber(String doc, Random r) {
        return replaceSome(NUMBER, doc, r, () -> pick(EXTREME_NUMBERS, r) + (r.nextInt(3) == 0 ? pick(UNITS, r) : ""));
    }

    /** A link parameter with an extreme value added under the first link, or every link. */
    private static String extremeLinkParameter(String doc, Random r) {
        String param = "    " + pick(LINK_KEYS, r) + ": " + pick(EXTREME_NUMBERS, r) + pick(UNITS, r);
        return doc.replaceFirst("(\\n  - ends: [^\\n]*)", "$1\n" + Matcher.quoteReplacement(param));
    }

    /** A node name (h1, s2, ...) is replaced everywhere, or at one place, by a reserved or hostile name. */
    private static String hostileName(String doc, Random r) {
        Matcher m = NODE_NAME.matcher(doc);
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group());
        }
        if (found.isEmpty()) {
            return doc + "\nhosts:\n  " + pick(HOSTILE_NAMES, r) + ":\n";
        }
        String victim = pick(found, r);
        String name = pick(HOSTILE_NAMES, r);
        String replaced = r.nextBoolean() ? name : name + "-" + victim;
        return r.nextInt(4) == 0
                ? replaceSome(Pattern.compile("\\b" + victim + "\\b"), doc, r, () -> replaced)
                : doc.replaceAll("\\b" + victim + "\\b", Matcher.quoteReplacement(replaced));
    }

    /** Nesting hundreds to thousands of levels deep, in flow or block style, closed or not. */
    private static String deepNesting(Random r) {
        int depth = List.of(100, 500, 2000, 5000, 20000).get(r.nextInt(5));
        StringBuilder sb = new StringBuilder("name: deep\nhosts: ");
        switch (r.nextInt(4)) {
            case 0 -> sb.append("[".repeat(depth)).append(r.nextBoolean() ? "]".repeat(depth) : "");
            case 1 -> {
                sb.append("{a: ".repeat(depth)).append("x");
                sb.append(r.nextBoolean() ? "}".repeat(depth) : "");
            }
            case 2 -> {
                sb.append('\n');
                for (int i = 1; i <= Math.min(depth, 3000); i++) {
                    sb.append(" ".repeat(i)).append("k").append(i).append(":\n");
                }
            }
            default -> sb.append("- ".repeat(depth)).append("x");
        }
        return sb.append('\n').toString();
    }

    /** "Billion laughs": each level lists the previous one ten times; used as hosts, links, or a command. */
    private static String aliasBomb(String doc, Random r) {
        StringBuilder sb = new StringBuilder("a0: &a0 [\"lol\"]\n");
        int levels = 5 + r.nextInt(10);
        for (int i = 1; i <= levels; i++) {
            sb.append('a').append(i).append(": &a").append(i).append(" [");
            for (int k = 0; k < 10; k++) {
                sb.append(k == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            sb.append("]\n");
        }
        String target = switch (r.nextInt(4)) {
            case 0 -> "hosts: *a" + levels;
            case 1 -> "links: *a" + levels;
            case 2 -> "apps: {x: {host: h1, command: *a" + levels + "}}";
            default -> "self: &r [*r, *r]";
        };
        return sb + target + "\n" + (r.nextBoolean() ? doc : "");
    }

    /** A line of 10 KB to 200 KB: a name, a flow, a comment or a key. */
    private static String longLine(String doc, Random r) {
        int length = List.of(10_000, 50_000, 200_000).get(r.nextInt(3));
        String filler = String.valueOf((char) ('a' + r.nextInt(26))).repeat(length);
        return switch (r.nextInt(5)) {
            case 0 -> doc.replaceFirst("\\bh1\\b", filler);
            case 1 -> doc + "\n# " + filler + "\n";
            case 2 -> doc + "\n" + filler + ": x\n";
            case 3 -> doc.replaceFirst("actions=", "nw_src=" + filler + ",actions=");
            default -> "name: " + filler + "\n" + doc;
        };
    }

    /** Random characters (controls, NUL, lone surrogates, BOMs, high code points) inserted or replacing all. */
    private static String binaryJunk(String doc, Random r) {
        int n = 1 + r.nextInt(64);
        StringBuilder junk = new StringBuilder();
        for (int i = 0; i < n; i++) {
            junk.append(switch (r.nextInt(5)) {
                case 0 -> (char) r.nextInt(0x20);
                case 1 -> (char) (0xd800 + r.nextInt(0x800));
                case 2 -> '\ufeff';
                case 3 -> (char) r.nextInt(0x10000);
                default -> (char) (0x7f + r.nextInt(0x81));
            });
        }
        if (r.nextInt(5) == 0) {
            return junk.toString();
        }
        int at = r.nextInt(doc.length() + 1);
        return doc.substring(0, at) + junk + doc.substring(at);
    }

    /** Lines deleted, repeated, swapped, or re-indented (tabs included). */
    private static String shuffleLines(String doc, Random r) {
        List<String> lines = new ArrayList<>(doc.lines().toList());
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits && !lines.isEmpty(); e++) {
            int i = r.nextInt(lines.size());
            switch (r.nextInt(4)) {
                case 0 -> lines.remove(i);
                case 1 -> lines.add(i, lines.get(i));
                case 2 -> {
                    int j = r.nextInt(lines.size());
                    String t = lines.get(i);
                    lines.set(i, lines.get(j));
                    lines.set(j, t);
                }
                default -> lines.set(i, (r.nextBoolean() ? "\t" : " ".repeat(r.nextInt(7))) + lines.get(i).strip());
            }
        }
        return String.join("\n", lines) + "\n";
    }

    private String combination(String doc, Random r) {
        String out = doc;
        int n = 2 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            // Only the mutations that keep the document small; nesting and bombs are tried on their own.
            Mutation m = mutations.get(List.of(0, 1, 2, 3, 4, 8, 9).get(r.nextInt(7)));
            out = m.apply().apply(out.isEmpty() ? doc : out, r);
        }
        return out;
    }

    private static String replaceSome(Pattern p, String doc, Random r, java.util.function.Supplier<String> with) {
        Matcher m = p.matcher(doc);
        StringBuilder sb = new StringBuilder();
        boolean any = false;
        while (m.find()) {
            boolean replace = r.nextInt(3) == 0;
            any |= replace;
            m.appendReplacement(sb, Matcher.quoteReplacement(replace ? with.get() : m.group()));
        }
        m.appendTail(sb);
        return any ? sb.toString() : doc + "\nlimit: " + with.get() + "\n";
    }

    private static <T> T pick(List<T> list, Random r) {
        return list.get(r.nextInt(list.size()));
    }
}
