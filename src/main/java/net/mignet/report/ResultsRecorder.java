package net.mignet.report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import net.mignet.app.App;
import net.mignet.experiment.RunObserver;
import net.mignet.migrate.MigrationFailure;
import net.mignet.migrate.MigrationReport;
import net.mignet.net.Emulation;
import net.mignet.net.EmulationEvent;
import net.mignet.net.Link;
import net.mignet.topo.LinkSpec;

/**
 * Records a run, or an experiment's runs, into a results directory while they go on: every event into
 * {@code events.jsonl} and every migration into {@code migrations.csv} as they happen (so a run that dies leaves
 * what it had); closing it adds every client request ({@code requests.csv}, from the clients' output) and the
 * report page.
 * <pre>{@code
 * try (Emulation net = Emulation.start(topo);
 *         ResultsRecorder results = ResultsRecorder.start(net, Path.of("results"), System.out::println);
 *         AppManager apps = new AppManager(net)) {   // closed first: the recorder then reads the apps' last lines
 *     ... deploy, migrate ...
 * } // results written, report.html made
 * }</pre>
 */
public final class ResultsRecorder implements AutoCloseable {
    private final Path dir;
    private final Consumer<String> log;
    private final List<String> sweepKeys;
    /** {@code sweep_<key>} per key, in the sweep's order: the same columns in both CSV files. */
    private final List<String> sweepColumns;
    private final List<AutoCloseable> subscriptions = new ArrayList<>();
    private final CsvWriter migrations;
    private final BufferedWriter migrationsFile;
    private final EventLog events;
    /** The current run's {@code run} and {@code sweep_<key>} values, all empty before the first run. */
    private Map<String, String> runValues;
    /**
     * Every app seen starting, with the run values ({@code run}, {@code sweep_<key>}) it started under: clients
     * among them are read for their requests at the end.
     */
    private final Map<App, Map<String, String>> appRuns = new IdentityHashMap<>();
    private int migrationCount;
    private boolean closed;

    private ResultsRecorder(Path dir, List<String> sweepKeys, Consumer<String> log) throws IOException {
        this.dir = dir;
        this.log = log;
        this.sweepKeys = List.copyOf(sweepKeys);
        this.sweepColumns = sweepKeys.stream().map(k -> "sweep_" + k).toList();
        Map<String, String> none = new LinkedHashMap<>();
        runColumns().forEach(c -> none.put(c, ""));
        this.runValues = none;
        Files.createDirectories(dir);
        this.migrationsFile = Files.newBufferedWriter(dir.resolve(ResultsFiles.MIGRATIONS), StandardCharsets.UTF_8);
        this.migrations = new CsvWriter(migrationsFile);
        migrations.row(MigrationColumns.header(runColumns()));
        this.events = new EventLog(Files.newBufferedWriter(dir.resolve(ResultsFiles.EVENTS), StandardCharsets.UTF_8));
    }

    /** Starts recording {@code net} into {@code dir} (made when missing; its files are replaced). */
    public static ResultsRecorder start(Emulation net, Path dir, Consumer<String> log) throws IOException {
        ResultsRecorder recorder = new ResultsRecorder(dir, List.of(), log);
        // Not an experiment: the run column stays empty.
        recorder.follow(net);
        return recorder;
    }

    /**
     * Starts recording an experiment whose sweep has these keys (none without a sweep): its migrations and
     * requests carry their run's number and a {@code sweep_<key>} column per key. {@link #follow} each network it
     * builds and call {@link #runStarting} before each run.
     */
    public static ResultsRecorder forExperiment(Path dir, List<String> sweepKeys, Consumer<String> log)
            throws IOException {
        return new ResultsRecorder(dir, sweepKeys, log);
    }

    /** {@code run} (empty outside an experiment), then the sweep's keys. */
    private List<String> runColumns() {
        List<String> columns = new ArrayList<>(List.of("run"));
        columns.addAll(sweepColumns);
        return columns;
    }

    public Path directory() {
        return dir;
    }

    /** Records every run of an experiment: the networks it builds and the start of each run with its values. */
    public RunObserver runObserver() {
        return new RunObserver() {
            @Override
            public void networkStarted(Emulation net) {
                follow(net);
            }

            @Override
            public void runStarting(int index, Map<String, String> sweepValues) {
                ResultsRecorder.this.runStarting(index, sweepValues);
            }
        };
    }

    /**
     * Records what happens in {@code net} from now on, until this recorder is closed; a signal that ends the JVM
     * while {@code net} is up closes it first, so the run's requests and report are written all the same.
     */
    public synchronized void follow(Emulation net) {
        subscriptions.add(net.onShutdown(this::stoppedByShutdown));
        events.write(event("emulation", net, "id", net.id().value(), "topology", net.topology().name(), "hosts",
                String.join(" ", net.hosts().stream().map(h -> h.name()).toList())), Map.of());
        for (Link l : net.links()) {
            events.write(linkInitial(l.spec(), l), Map.of());
        }
        subscriptions.add(net.events().subscribe(this::record));
    }

    /**
     * A link as built, also one without parameters ({@code -}): the report's table of links lists every link, and
     * a lab's plain links are as much part of it as its impaired ones.
     */
    static EmulationEvent linkInitial(LinkSpec spec, Object detail) {
        return event("link-initial", detail, "a", spec.a().node(), "b", spec.b().node(), "a_to_b", spec.aToB(),
                "b_to_a", spec.bToA());
    }

    /** Run number {@code index} (from 1) of an experiment begins, with these sweep values. */
    public synchronized void runStarting(int index, Map<String, String> sweepValues) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("run", Integer.toString(index));
        sweepKeys.forEach(k -> values.put("sweep_" + k, sweepValues.getOrDefault(k, "")));
        runValues = values;
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("run", Integer.toString(index));
        sweepValues.forEach((k, v) -> fields.put("sweep_" + k, v));
        events.write(new EmulationEvent(Instant.now(), "run", fields, null), Map.of());
    }

    private static EmulationEvent event(String kind, Object detail, Object... keyValues) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            fields.put(keyValues[i].toString(), keyValues[i + 1].toString());
        }
        return new EmulationEvent(Instant.now(), kind, fields, detail);
    }

    /** Package-private so that tests can feed it events without building a network. */
    synchronized void record(EmulationEvent event) {
        if (closed) {
            return;
        }
        if (event.detail() instanceof App app && event.kind().equals("app-started")) {
            appRuns.put(app, runValues);
        }
        switch (event.detail()) {
            case MigrationReport report -> {
                migrationCount++;
                Instant end = event.time().plus(report.total());
                migrations.row(MigrationColumns.row(migrationCount, runValues, event.time(), report,
                        requestsLost(event.time(), end)));
                events.write(event, numberAndEnd(end));
            }
            case MigrationFailure failure -> {
                // Counted among the migrations: leaving failures out would bias every average over the file.
                migrationCount++;
                migrations.row(MigrationColumns.failedRow(migrationCount, runValues, failure,
                        requestsLost(failure.started(), failure.ended())));
                events.write(event, numberAndEnd(failure.ended()));
            }
            case null, default -> events.write(event, Map.of());
        }
    }

    /** What a migration's event gains in events.jsonl: its row's number in migrations.csv and when it ended. */
    private Map<String, String> numberAndEnd(Instant end) {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("migration", Integer.toString(migrationCount));
        extra.put("end", Times.instant(end));
        return extra;
    }

    /**
     * The JVM is going down (a signal, {@code mignet clean --id}) while a network is up: events.jsonl says that
     * what follows its last run is cut short, and when, before the files are written as at any end.
     */
    synchronized void stoppedByShutdown() {
        if (!closed) {
            Map<String, String> fields = new LinkedHashMap<>();
            String run = runValues.getOrDefault("run", "");
            if (!run.isEmpty()) {
                fields.put("run", run);
            }
            fields.put("migrations", Integer.toString(migrationCount));
            events.write(new EmulationEvent(Instant.now(), "stopped", fields, null), Map.of());
        }
        close();
    }

    /** Requests sent during [start, end] that a client gave up on; null when no client has reported requests. */
    private Integer requestsLost(Instant start, Instant end) {
        List<ClientRequest> all = requests();
        if (all.isEmpty()) {
            return null;
        }
        return (int) all.stream().filter(r -> !r.sent().isBefore(start) && !r.sent().isAfter(end))
                .filter(ClientRequest::lost).count();
    }

    private List<ClientRequest> requests() {
        List<ClientRequest> all = new ArrayList<>();
        appRuns.forEach((app, values) -> all.addAll(ClientRequest.fromLog(app.name(), values.get("run"),
                ClientRequest.sweepOf(values), app.log().lines())));
        all.sort(Comparator.comparing(ClientRequest::sent));
        return all;
    }

    /** Writes {@code requests.csv} and {@code report.html}; says where the report is. Never throws. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            for (AutoCloseable s : subscriptions) {
                s.close();
            }
            migrationsFile.close();
            events.close();
            List<ClientRequest> requests = requests();
            try (BufferedWriter out = Files.newBufferedWriter(dir.resolve(ResultsFiles.REQUESTS),
                    StandardCharsets.UTF_8)) {
                CsvWriter csv = new CsvWriter(out);
                csv.row(ClientRequest.header(sweepColumns));
                requests.forEach(r -> csv.row(r.row(sweepColumns)));
            }
            Path page = ReportPage.write(dir);
            log.accept("*** Results: " + migrationCount + " migration(s), " + requests.size()
                    + " client request(s) in " + dir.toAbsolutePath().normalize());
            log.accept("*** Report: " + page.toAbsolutePath().normalize());
        } catch (Exception e) {
            log.accept("!!! could not write the results into " + dir + ": " + e.getMessage());
        }
    }
}
