package net.mignet.kernel;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the named flow counters out of {@code nft list counters} output. */
public final class NftCounters {
    private static final Pattern COUNTER = Pattern.compile(
            "counter\\s+r(\\d+)\\s*\\{\\s*packets\\s+(\\d+)\\s+bytes\\s+(\\d+)");

    private NftCounters() {
    }

    public record FlowCounters(long packets, long bytes) {
    }

    /** Counters by rule id. */
    public static Map<Long, FlowCounters> parse(String nftOutput) {
        Map<Long, FlowCounters> counters = new HashMap<>();
        Matcher m = COUNTER.matcher(nftOutput);
        while (m.find()) {
            counters.put(Long.parseLong(m.group(1)),
                    new FlowCounters(Long.parseLong(m.group(2)), Long.parseLong(m.group(3))));
        }
        return counters;
    }
}
