package net.mignet.net;

import java.time.Instant;
import java.util.Map;

/**
 * Something that happened in a running emulation (an app started, a link changed, a service moved), kept for
 * the run's record: the results directory's {@code events.jsonl} and its report.
 *
 * @param time   when it happened, or for something that lasted (a migration) when it began
 * @param kind   what happened, e.g. {@code app-started}, {@code link-set}, {@code migration}
 * @param fields what a reader needs to know, as text, in a stable order
 * @param detail the full value behind the event for readers that know its type (a migration's report), or null
 */
public record EmulationEvent(Instant time, String kind, Map<String, String> fields, Object detail) {
    public EmulationEvent {
        fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
    }
}
