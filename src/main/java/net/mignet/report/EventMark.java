package net.mignet.report;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An event of {@code events.jsonl} worth a line on the report's time plots: a link changed, cut or restored, or a
 * migration failed and was rolled back.
 */
record EventMark(Instant time, String text) {
    private static final Set<String> SHOWN = Set.of("link-set", "link-up", "link-down", "migration-failed");

    /** The marks among {@code events} (as {@link EventsFile} reads them). */
    static List<EventMark> of(List<Map<String, String>> events) {
        return events.stream().filter(e -> SHOWN.contains(e.get("kind")))
                .map(e -> new EventMark(Instant.parse(e.get("time")), describe(e))).toList();
    }

    /** Link parameters as events.jsonl has them; {@code -} means none: a change to none cleared them. */
    private static String params(String text) {
        return "-".equals(text) ? "cleared" : text;
    }

    private static String describe(Map<String, String> e) {
        return switch (e.get("kind")) {
            case "link-set" -> e.get("a") + "-" + e.get("b") + " " + params(e.get("a_to_b"))
                    + (String.valueOf(e.get("a_to_b")).equals(String.valueOf(e.get("b_to_a"))) ? ""
                            : " / " + params(e.get("b_to_a")));
            case "link-up" -> e.get("a") + "-" + e.get("b") + " up";
            case "link-down" -> e.get("a") + "-" + e.get("b") + " down";
            default -> "failed: " + e.get("app") + " " + e.get("from") + "\u2192" + e.get("to") + " ("
                    + e.get("strategy") + ")";
        };
    }
}
