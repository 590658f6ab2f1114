package net.mignet.report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import net.mignet.net.EmulationEvent;

/** {@code events.jsonl}: one JSON object per line and event, {@code time} and {@code kind} first, then its fields. */
final class EventLog {
    private final BufferedWriter out;

    EventLog(BufferedWriter out) {
        this.out = out;
    }

    void write(EmulationEvent event, Map<String, String> extra) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Times.instant(event.time()));
        line.put("kind", event.kind());
        line.putAll(event.fields());
        line.putAll(extra);
        try {
            out.write(Json.of(line));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write an event: " + e.getMessage(), e);
        }
    }

    void close() throws IOException {
        out.close();
    }
}
