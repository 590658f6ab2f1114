package net.mignet.report;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which emulation a results directory holds, from the {@code emulation} events of {@code events.jsonl}: the page
 * is titled by it, since the directory's name may be anything the user passed to {@code --results}.
 *
 * @param ids        the emulations' ids, each once, in order (an experiment's networks share one)
 * @param topologies the topologies' names, each once, in order
 * @param firstStart when the first network was up; null without such an event
 */
record RunIdentity(List<String> ids, List<String> topologies, Instant firstStart) {
    static RunIdentity of(List<Map<String, String>> events) {
        List<Map<String, String>> networks = events.stream().filter(e -> "emulation".equals(e.get("kind")))
                .toList();
        return new RunIdentity(distinct(networks, "id"), distinct(networks, "topology"),
                networks.isEmpty() ? null : Instant.parse(networks.getFirst().get("time")));
    }

    private static List<String> distinct(List<Map<String, String>> events, String key) {
        return events.stream().map(e -> e.get(key)).filter(Objects::nonNull).filter(v -> !v.isEmpty()).distinct()
                .toList();
    }

    /** The emulation and its topology; the directory's name for results without an {@code emulation} event. */
    String title(String directoryName) {
        if (ids.isEmpty()) {
            return "mignet results: " + directoryName;
        }
        return "mignet run " + String.join(", ", ids)
                + (topologies.isEmpty() ? "" : " \u2014 topology " + String.join(", ", topologies));
    }
}
