package net.mignet.topo;

import java.util.Arrays;
import java.util.Locale;

/** How jitter spreads delays around the configured mean. */
public enum JitterDistribution {
    /** Uniform within delay ± jitter (netem's default). */
    UNIFORM,
    /** Normal with the jitter as standard deviation, clipped at zero delay. */
    NORMAL;

    public static JitterDistribution parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(d -> d.word().equals(t)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("'" + text
                        + "' is not a jitter distribution; write uniform or normal"));
    }

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
