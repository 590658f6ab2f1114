package net.mignet.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * An event of {@code events.jsonl} worth a line on the report's time plots: a link changed, cut or restored, or a
 * migration failed and was rolled back.
 */
record EventMark(Instant time, String text) {
    private static final Set<String> SHOWN = Set.of("link-set", "link-up", "link-down", "migration-failed");

    /** The marks of an events file; none when there is no such file. */
    static List<EventMark> read(Path file) throws IOException {
        List<EventMark> marks = new ArrayList<>();
        if (!Files.exists(file)) {
            return marks;
        }
        // JSON is YAML: the engine that reads topology files reads each event line.
        Load json = new Load(LoadSettings.builder().build());
        int number = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            Object parsed;
            try {
                parsed = json.loadFromString(line);
            } catch (YamlEngineException e) {
                throw new IllegalArgumentException(file + ":" + number + ": not a JSON object: " + e.getMessage(), e);
            }
            if (parsed instanceof Map<?, ?> event && SHOWN.contains(String.valueOf(event.get("kind")))) {
                marks.add(new EventMark(Instant.parse(String.valueOf(event.get("time"))), describe(event)));
            }
        }
        return marks;
    }

    /** Link parameters as events.jsonl has them; {@code -} means none. */
    private static String params(Object text) {
        return "-".equals(String.valueOf(text)) ? "cleared" : String.valueOf(text);
    }

    private static String describe(Map<?, ?> e) {
        return switch (String.valueOf(e.get("kind"))) {
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
