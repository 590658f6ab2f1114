package net.mignet.topo;

import java.util.Map;

/** One run of an experiment: the sweep's values for it (empty without a sweep) and the file read with them. */
public record SweepRun(Map<String, String> values, Lab lab) {
    public SweepRun {
        // In the sweep's order, which is how runs are named in output and tables.
        values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
    }
}
