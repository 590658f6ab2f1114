package net.mignet.topo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An experiment's {@code sweep:}: named lists of values; the experiment runs once per combination, with
 * {@code ${name}} in the file replaced by that combination's value. The first axis varies slowest.
 */
public record Sweep(Map<String, List<String>> axes) {
    public static final Sweep NONE = new Sweep(Map.of());

    public Sweep {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        axes.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        axes = java.util.Collections.unmodifiableMap(copy);
    }

    /** Every combination, in order; one empty combination when there are no axes. */
    public List<Map<String, String>> combinations() {
        List<Map<String, String>> result = new ArrayList<>();
        result.add(Map.of());
        for (Map.Entry<String, List<String>> axis : axes.entrySet()) {
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> partial : result) {
                for (String value : axis.getValue()) {
                    Map<String, String> combination = new LinkedHashMap<>(partial);
                    combination.put(axis.getKey(), value);
                    next.add(java.util.Collections.unmodifiableMap(combination));
                }
            }
            result = next;
        }
        return List.copyOf(result);
    }
}
