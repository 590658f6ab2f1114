package net.mignet.topo;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/** "Did you mean" hints for misspelt keys, node names and generator kinds. */
final class Suggestions {
    /** Words from neighbouring tools (containerlab, Mininet) that are not close in spelling to ours. */
    private static final Map<String, String> SYNONYMS = Map.of(
            "endpoints", "ends",
            "interface", "intf",
            "bandwidth", "bw",
            "latency", "delay",
            "nodes", "hosts");

    private Suggestions() {
    }

    /** Returns {@code " (did you mean 'x'?)"} for the closest candidate, or an empty string when none is close. */
    static String didYouMean(String given, Collection<String> candidates) {
        String synonym = SYNONYMS.get(given);
        if (synonym != null && candidates.contains(synonym)) {
            return " (did you mean '" + synonym + "'?)";
        }
        String lower = given.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = distance(lower, candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        // Two edits catch most typos; requiring fewer edits than the word is long keeps 'ip' from suggesting 'bw'.
        boolean close = best != null && bestDistance <= 2 && bestDistance < Math.min(given.length(), best.length());
        return close ? " (did you mean '" + best + "'?)" : "";
    }

    /** Edit distance counting a swap of two neighbouring characters as one edit (optimal string alignment). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
