package net.mignet.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import net.mignet.net.Emulation;
import net.mignet.report.ResultsFiles;
import net.mignet.report.ResultsRecorder;
import picocli.CommandLine.Option;

/** {@code --results DIR} and {@code --no-results} of {@code run} and {@code demo}. */
final class ResultsOptions {
    @Option(names = "--results", paramLabel = "DIR", description = "write migrations.csv, requests.csv,"
            + " events.jsonl and report.html into DIR (default: mignet-results/<emulation-id> in the current"
            + " directory)")
    Path directory;

    @Option(names = "--no-results", description = "write no results files")
    boolean none;

    /** Starts recording {@code net}, or returns null with {@code --no-results} (try-with-resources skips it). */
    ResultsRecorder start(Emulation net, Consumer<String> log) throws IOException {
        if (none && directory != null) {
            throw new IllegalArgumentException("give --results DIR or --no-results, not both");
        }
        if (none) {
            return null;
        }
        return ResultsRecorder.start(net, directory != null ? directory : ResultsFiles.defaultDirectory(net.id()), log);
    }
}
