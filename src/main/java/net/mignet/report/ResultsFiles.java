package net.mignet.report;

import java.nio.file.Path;
import net.mignet.kernel.EmulationId;

/** The files of a results directory, and where it is by default. */
public final class ResultsFiles {
    public static final String MIGRATIONS = "migrations.csv";
    public static final String REQUESTS = "requests.csv";
    public static final String EVENTS = "events.jsonl";
    public static final String REPORT = "report.html";
    /** Under the current directory, like containerlab's lab directories. */
    public static final Path DEFAULT_PARENT = Path.of("mignet-results");

    private ResultsFiles() {
    }

    public static Path defaultDirectory(EmulationId id) {
        return DEFAULT_PARENT.resolve(id.value());
    }
}
