package net.mignet.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.mignet.migrate.MigrationFailure;
import net.mignet.net.EmulationEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** What an experiment's recorder writes, fed the events a network would publish (no network is built). */
class ResultsRecorderTest {
    private static final Instant T0 = Instant.parse("2026-11-30T06:00:00Z");

    @TempDir
    Path dir;

    private final List<String> log = new ArrayList<>();

    private ResultsRecorder sweepOfDelayAndMemory() throws IOException {
        ResultsRecorder recorder = ResultsRecorder.forExperiment(dir, List.of("delay", "mem"), log::add);
        recorder.runStarting(1, Map.of("mem", "128m", "delay", "40ms"));
        recorder.record(new EmulationEvent(T0, "migration", Map.of("app", "counter"),
                MigrationColumnsTest.report(List.of())));
        MigrationFailure failure = new MigrationFailure("counter", "checkpoint", "h3", "h2", 200, "target crashed",
                T0.plusSeconds(5), T0.plusSeconds(5).plus(Duration.ofMillis(750)));
        recorder.record(new EmulationEvent(failure.started(), "migration-failed", Map.of("app", "counter",
                "reason", failure.reason()), failure));
        return recorder;
    }

    @Test
    void a_failed_migration_is_a_row_of_its_run_and_its_event_carries_its_number_and_end() throws IOException {
        try (ResultsRecorder recorder = sweepOfDelayAndMemory()) {
            assertThat(recorder.directory()).isEqualTo(dir);
        }
        List<Map<String, String>> rows = CsvTable.read(dir.resolve(ResultsFiles.MIGRATIONS)).rows();
        assertThat(rows).extracting(r -> r.get("outcome")).containsExactly("ok", "failed");
        assertThat(rows).allSatisfy(r -> assertThat(r).containsEntry("run", "1").containsEntry("sweep_delay", "40ms")
                .containsEntry("sweep_mem", "128m"));
        assertThat(rows.get(1)).containsEntry("migration", "2").containsEntry("total_ms", "750.000")
                .containsEntry("ended", "2026-11-30T06:00:05.750000000Z").containsEntry("error", "target crashed")
                .containsEntry("client_downtime_ms", "");

        Map<?, ?> failed = events().stream().filter(e -> "migration-failed".equals(e.get("kind"))).findFirst()
                .orElseThrow();
        assertThat(failed.get("time")).isEqualTo("2026-11-30T06:00:05.000000000Z");
        assertThat(failed.get("end")).isEqualTo("2026-11-30T06:00:05.750000000Z");
        assertThat(failed.get("migration")).isEqualTo("2");
        // The page is made from the new rows as at any end: the recorder says so instead of an error.
        assertThat(log).anyMatch(l -> l.startsWith("*** Report:")).noneMatch(l -> l.startsWith("!!!"));
    }

    @Test
    void requests_carry_the_sweep_columns_of_migrations_in_the_same_order_after_the_older_columns()
            throws IOException {
        sweepOfDelayAndMemory().close();
        List<String> header = CsvTable.read(dir.resolve(ResultsFiles.REQUESTS)).header();
        assertThat(header).containsExactly("client", "run", "seq", "op", "key", "sent", "replied", "latency_ms",
                "retries", "result", "value", "sweep_delay", "sweep_mem");
        List<String> migrationsHeader = CsvTable.read(dir.resolve(ResultsFiles.MIGRATIONS)).header();
        assertThat(migrationsHeader.stream().filter(c -> c.startsWith("sweep_")).toList())
                .isEqualTo(header.stream().filter(c -> c.startsWith("sweep_")).toList());
    }

    @Test
    void a_stop_by_the_jvms_shutdown_is_marked_in_the_events_with_its_run_and_the_files_are_written()
            throws IOException {
        ResultsRecorder recorder = sweepOfDelayAndMemory();
        recorder.stoppedByShutdown();
        List<Map<?, ?>> events = events();
        Map<?, ?> last = events.getLast();
        assertThat(last.get("kind")).isEqualTo("stopped");
        assertThat(last.get("run")).isEqualTo("1");
        assertThat(last.get("migrations")).isEqualTo("2");
        assertThat(Instant.parse(String.valueOf(last.get("time")))).isAfter(T0);
        assertThat(dir.resolve(ResultsFiles.REQUESTS)).exists();
        assertThat(dir.resolve(ResultsFiles.REPORT)).exists();

        recorder.close(); // the normal end after the shutdown's: nothing more is written
        assertThat(events()).hasSize(events.size());
    }

    @Test
    void a_normal_end_is_not_marked_as_stopped() throws IOException {
        sweepOfDelayAndMemory().close();
        assertThat(events()).noneMatch(e -> "stopped".equals(e.get("kind")));
    }

    @Test
    void a_link_without_parameters_has_a_starting_line_too() {
        net.mignet.topo.LinkEnd h1 = new net.mignet.topo.LinkEnd("h1", "h1-eth0", null, null);
        net.mignet.topo.LinkEnd s1 = new net.mignet.topo.LinkEnd("s1", "s1-h1", null, null);
        EmulationEvent plain = ResultsRecorder.linkInitial(new net.mignet.topo.LinkSpec(h1, s1,
                net.mignet.topo.LinkParams.NONE), null);
        assertThat(plain.kind()).isEqualTo("link-initial");
        assertThat(plain.fields()).containsEntry("a", "h1").containsEntry("b", "s1").containsEntry("a_to_b", "-")
                .containsEntry("b_to_a", "-");
    }

    private List<Map<?, ?>> events() throws IOException {
        Load json = new Load(LoadSettings.builder().build());
        return Files.readAllLines(dir.resolve(ResultsFiles.EVENTS)).stream()
                .<Map<?, ?>>map(line -> (Map<?, ?>) json.loadFromString(line)).toList();
    }
}
