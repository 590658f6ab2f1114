package net.mignet.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the report takes from {@code events.jsonl}: marks for the time plots, the links and which emulation ran.
 * {@link #NONE} for a results directory without the file.
 */
record RunEvents(List<EventMark> marks, LinkHistory links, RunIdentity identity) {
    static final RunEvents NONE = of(List.of());

    static RunEvents read(Path file) throws IOException {
        return of(EventsFile.read(file));
    }

    static RunEvents of(List<Map<String, String>> events) {
        return new RunEvents(EventMark.of(events), LinkHistory.of(events), RunIdentity.of(events));
    }
}
