package net.mignet.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/** The lines of {@code events.jsonl}, each an event's fields as text, read once for every part of the report. */
final class EventsFile {
    private EventsFile() {
    }

    /** The events of {@code file} in their order; none when there is no such file (results of older versions). */
    static List<Map<String, String>> read(Path file) throws IOException {
        List<Map<String, String>> events = new ArrayList<>();
        if (!Files.exists(file)) {
            return events;
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
            if (parsed instanceof Map<?, ?> event) {
                Map<String, String> fields = new LinkedHashMap<>();
                event.forEach((k, v) -> fields.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
                events.add(fields);
            }
        }
        return events;
    }
}
