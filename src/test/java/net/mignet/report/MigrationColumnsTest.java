package net.mignet.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.mignet.migrate.ClientObservation;
import net.mignet.migrate.HeldFrames;
import net.mignet.migrate.MigrationFailure;
import net.mignet.migrate.MigrationReport;
import net.mignet.migrate.Phase;
import org.junit.jupiter.api.Test;

class MigrationColumnsTest {
    private static final Instant START = Instant.parse("2026-11-30T06:00:00.000000001Z");

    private static Duration ms(double v) {
        return Duration.ofNanos(Math.round(v * 1e6));
    }

    static MigrationReport report(List<Phase> phases) {
        return new MigrationReport("counter", "handover", "h2", "h3", 100, 200, "192.168.0.12 -> 192.168.0.13", 35,
                2400, ms(1.25), new HeldFrames(3, 180, ms(2.5), 0),
                new ClientObservation(ms(4), ms(24), 2, 5, ms(0.4)),
                List.of("priority=100,in_port=s1-h1 actions=output:s1-h3", "second rule"), phases, ms(190.5));
    }

    @Test
    void a_row_has_a_value_for_every_header_column_and_says_what_the_report_held() {
        List<Phase> phases = List.of(new Phase("start", Duration.ZERO, ms(180)), new Phase("hold", ms(180), ms(1)),
                new Phase("handover", ms(181), ms(2.5)), new Phase("retire", ms(183.5), ms(7)));
        List<String> header = MigrationColumns.header();
        List<String> row = MigrationColumns.row(1, START, report(phases), 0);
        assertThat(row).hasSameSizeAs(header);

        String csv = CsvWriter.line(header) + CsvWriter.line(row);
        Map<String, String> r = CsvTable.parse(csv, "t").rows().getFirst();
        assertThat(r).containsEntry("migration", "1").containsEntry("strategy", "handover")
                .containsEntry("from", "h2").containsEntry("to", "h3")
                .containsEntry("started", "2026-11-30T06:00:00.000000001Z")
                .containsEntry("ended", "2026-11-30T06:00:00.190500001Z")
                .containsEntry("total_ms", "190.500").containsEntry("service_gap_ms", "1.250")
                .containsEntry("client_downtime_ms", "4.000").containsEntry("requests_retried", "2")
                .containsEntry("client_requests", "5").containsEntry("requests_lost", "0")
                .containsEntry("state_bytes", "35").containsEntry("state_network_bytes", "2400")
                .containsEntry("held_frames", "3").containsEntry("held_dropped", "0")
                .containsEntry("flow_changes", "priority=100,in_port=s1-h1 actions=output:s1-h3 | second rule")
                .containsEntry("phase_hold_start_ms", "180.000").containsEntry("phase_hold_end_ms", "181.000")
                .containsEntry("phase_dump_start_ms", "").containsEntry("phase_lazy_pages_end_ms", "")
                .containsEntry("phases", "start=0.000..180.000;hold=180.000..181.000;handover=181.000..183.500;"
                        + "retire=183.500..190.500")
                .containsEntry("outcome", "ok").containsEntry("error", "");
    }

    @Test
    void the_outcome_columns_come_after_every_older_column_so_readers_by_position_keep_working() {
        List<String> header = MigrationColumns.header(List.of("run", "sweep_delay"));
        assertThat(header.subList(0, 3)).containsExactly("migration", "run", "sweep_delay");
        assertThat(header.subList(header.size() - 3, header.size())).containsExactly("phases", "outcome", "error");
    }

    @Test
    void a_failed_migration_has_a_row_with_its_times_run_and_error_and_no_figure_it_never_had() {
        Map<String, String> runValues = new LinkedHashMap<>();
        runValues.put("run", "3");
        runValues.put("sweep_delay", "40ms");
        runValues.put("sweep_mem", "128m");
        MigrationFailure failure = new MigrationFailure("counter", "checkpoint", "h2", "h3", 100,
                "target crashed, with a comma", START, START.plus(ms(812.25)));
        List<String> header = MigrationColumns.header(List.copyOf(runValues.keySet()));
        List<String> values = MigrationColumns.failedRow(4, runValues, failure, 2);
        assertThat(values).hasSameSizeAs(header);

        Map<String, String> row = CsvTable.parse(CsvWriter.line(header) + CsvWriter.line(values), "t").rows()
                .getFirst();
        assertThat(row).containsEntry("migration", "4").containsEntry("run", "3").containsEntry("sweep_delay", "40ms")
                .containsEntry("sweep_mem", "128m").containsEntry("app", "counter")
                .containsEntry("strategy", "checkpoint").containsEntry("from", "h2").containsEntry("to", "h3")
                .containsEntry("started", "2026-11-30T06:00:00.000000001Z")
                .containsEntry("ended", "2026-11-30T06:00:00.812250001Z").containsEntry("total_ms", "812.250")
                .containsEntry("requests_lost", "2").containsEntry("old_pid", "100")
                .containsEntry("outcome", "failed").containsEntry("error", "target crashed, with a comma");
        // Empty, not 0: a zero would read as a migration that cost the client nothing.
        for (String none : List.of("client_downtime_ms", "service_gap_ms", "client_requests", "state_bytes",
                "held_frames", "held_dropped", "new_pid", "phase_start_start_ms", "phases")) {
            assertThat(row).as(none).containsEntry(none, "");
        }
    }

    @Test
    void every_phase_of_any_name_survives_the_phases_field_and_a_repeated_one_spans_its_runs() {
        List<Phase> phases = List.of(new Phase("round", Duration.ZERO, ms(10)), new Phase("round", ms(10), ms(5)),
                new Phase("freeze;odd=name", ms(15), ms(0.5)), new Phase("transfer", ms(1), ms(3)),
                new Phase("transfer", ms(12), ms(2)));
        MigrationReport r = report(phases);
        List<MigrationColumns.PhaseSpan> back = MigrationColumns.decodePhases(MigrationColumns.encodePhases(phases));
        assertThat(back).extracting(MigrationColumns.PhaseSpan::name)
                .containsExactly("round", "round", "freeze_odd_name", "transfer", "transfer");
        assertThat(back.get(2).startMs()).isEqualTo(15.0);
        assertThat(back.get(2).endMs()).isEqualTo(15.5);

        Map<String, String> row = CsvTable.parse(CsvWriter.line(MigrationColumns.header())
                + CsvWriter.line(MigrationColumns.row(2, START, r, null)), "t").rows().getFirst();
        assertThat(row).containsEntry("phase_transfer_start_ms", "1.000").containsEntry("phase_transfer_end_ms",
                "14.000").containsEntry("requests_lost", "");
    }
}
