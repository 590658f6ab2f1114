package net.mignet.experiment;

import java.util.List;
import java.util.Map;

/**
 * One run of an experiment: the sweep's values, what its timeline did, and what its clients saw wrong.
 *
 * @param problems why the run failed (a step that failed, a client that lost a request or saw a wrong answer);
 *                 empty when it passed
 */
public record RunResult(Map<String, String> values, TimelineResult timeline, List<String> problems) {
    public RunResult {
        // In the sweep's order, which is how runs are named in output and tables.
        values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
        problems = List.copyOf(problems);
    }

    public boolean passed() {
        return problems.isEmpty();
    }
}
