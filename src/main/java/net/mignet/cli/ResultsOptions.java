package net.mignet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import net.mignet.experiment.ExperimentRunner;
import net.mignet.kernel.EmulationId;
import net.mignet.net.Emulation;
import net.mignet.report.ResultsFiles;
import net.mignet.report.ResultsRecorder;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** {@code --results DIR} and {@code --no-results} of {@code run} and {@code demo}. */
final class ResultsOptions {
    /** One or the other, refused together before anything is built. */
    @ArgGroup(exclusive = true)
    Choice choice;

    static final class Choice {
        @Option(names = "--results", paramLabel = "DIR", description = "write migrations.csv, requests.csv,"
                + " events.jsonl and report.html into DIR (default: mignet-results/<emulation-id> in the current"
                + " directory)")
        Path directory;

        @Option(names = "--no-results", description = "write no results files")
        boolean none;
    }

    /** Starts recording {@code net}, or returns null with {@code --no-results} (try-with-resources skips it). */
    ResultsRecorder start(Emulation net, Consumer<String> log) throws IOException {
        return wanted() ? ResultsRecorder.start(net, directory(net.id()), log) : null;
    }

    /**
     * As {@link #start}, for the one combination of a sweep run beside the shell: run 1 with its sweep values, in
     * the columns an experiment's results have, so that its files join those of {@code --autotest} runs.
     */
    ResultsRecorder start(Emulation net, Map<String, String> sweepValues, Consumer<String> log) throws IOException {
        if (!wanted() || sweepValues.isEmpty()) {
            return start(net, log);
        }
        ResultsRecorder recorder = ResultsRecorder.forExperiment(directory(net.id()),
                List.copyOf(new java.util.TreeSet<>(sweepValues.keySet())), log);
        recorder.follow(net);
        recorder.runStarting(1, sweepValues);
        return recorder;
    }

    /**
     * Records an experiment run by {@code runner} (its sweep has {@code sweepKeys}), or returns null with
     * {@code --no-results}.
     */
    ResultsRecorder startExperiment(ExperimentRunner runner, EmulationId id, List<String> sweepKeys,
            Consumer<String> log) throws IOException {
        if (!wanted()) {
            return null;
        }
        ResultsRecorder recorder = ResultsRecorder.forExperiment(directory(id), sweepKeys, log);
        runner.observedBy(recorder.runObserver());
        return recorder;
    }

    /**
     * Refuses a results directory that cannot be one, before anything is built: the recorder opens it only once
     * the network is up, and a failure there cost a whole build and teardown and said only the path. Nothing is
     * created here, so a refused or failed run leaves no directory behind.
     */
    void check(EmulationId id) {
        if (!wanted()) {
            return;
        }
        Path dir = directory(id);
        boolean given = choice != null && choice.directory != null;
        String what = given ? "--results " + dir : "the results directory " + dir + " (the default)";
        String fix = given ? "give a directory (created if missing), or --no-results"
                : "give --results DIR elsewhere, or --no-results";
        // The nearest part of the path that exists: it must be a directory we may write in (the rest is created).
        Path existing = dir.toAbsolutePath().normalize();
        while (!Files.exists(existing) && existing.getParent() != null) {
            existing = existing.getParent();
        }
        if (!Files.isDirectory(existing)) {
            throw new IllegalArgumentException(what + ": " + (existing.equals(dir.toAbsolutePath().normalize())
                    ? "is a file, not a directory" : existing + " is a file, so no directory can be made under it")
                    + "; " + fix);
        }
        if (!Files.isWritable(existing)) {
            throw new IllegalArgumentException(what + ": cannot write in " + existing + "; " + fix);
        }
        if (Files.isRegularFile(dir.resolve(ResultsFiles.EVENTS))) {
            // Said, not refused: a script that reuses one directory per experiment is a fair use.
            System.err.println("*** " + what + " holds an earlier run's results; this run's replace them");
        }
        // Root may "write" by the permission bits where the file system takes nothing (/proc, /sys): a probe
        // made and removed again says for sure, and leaves nothing.
        try {
            Files.delete(Files.createTempFile(existing, ".mignet-results-", ".probe"));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(what + ": cannot make files in " + existing + " (" + e.getMessage()
                    + "); " + fix, e);
        }
    }

    private boolean wanted() {
        return choice == null || !choice.none;
    }

    private Path directory(EmulationId id) {
        return choice != null && choice.directory != null ? choice.directory : ResultsFiles.defaultDirectory(id);
    }
}
