package net.mignet.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.mignet.migrate.MigrationFailure;
import org.junit.jupiter.api.Test;

/** The data the page plots, without a browser. */
class ReportDataTest {

    private static CsvTable fixture(String path) throws IOException {
        try (InputStream in = ReportDataTest.class.getResourceAsStream(path)) {
            return CsvTable.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), path);
        }
    }

    private static List<ClientRequest> requests(String path) throws IOException {
        List<ClientRequest> requests = new ArrayList<>();
        fixture(path).rows().forEach(r -> requests.add(ClientRequest.fromRow(r)));
        return requests;
    }

    @Test
    @SuppressWarnings("unchecked")
    void migrations_carry_absolute_phase_times_from_the_first_request() throws IOException {
        Map<String, Object> data = ReportData.of("t", fixture("demo/migrations.csv"), requests("demo/requests.csv"));
        List<Map<String, Object>> migrations = (List<Map<String, Object>>) data.get("migrations");
        assertThat(migrations).hasSize(3);
        assertThat(data.get("origin")).isEqualTo("2026-11-30T06:00:00.000000000Z");
        Map<String, Object> first = migrations.getFirst();
        assertThat(first.get("start")).isEqualTo(2.0);
        assertThat((double) first.get("end")).isCloseTo(2.1901, org.assertj.core.data.Offset.offset(1e-9));
        List<Map<String, Object>> phases = (List<Map<String, Object>>) first.get("phases");
        assertThat(phases).extracting(p -> p.get("name")).containsExactly("start", "hold", "handover", "release",
                "retire");
        assertThat((double) phases.get(1).get("start")).isCloseTo(2.1802, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(data.get("sweep")).isEqualTo(false);
        // Written before failed migrations had rows: no outcome column, every row a success.
        assertThat(migrations).allSatisfy(m -> assertThat(m.get("failed")).isEqualTo(false));
        assertThat((List<String>) data.get("tableColumns")).doesNotContain("outcome", "error");
        List<Map<String, Object>> clients = (List<Map<String, Object>>) data.get("clients");
        assertThat(clients).singleElement().satisfies(c -> {
            assertThat(c.get("name")).isEqualTo("client");
            assertThat((List<?>) c.get("points")).hasSize(400);
        });
    }

    @Test
    void sizes_spanning_a_factor_of_two_within_a_strategy_make_a_sweep_and_a_size_per_strategy_does_not()
            throws IOException {
        assertThat(ReportData.of("t", fixture("sweep/migrations.csv"), List.of()).get("sweep")).isEqualTo(true);
        // Handover moved 35 bytes, checkpoint megabytes of images: different ways of counting, not a sweep.
        String header = String.join(",", MigrationColumns.header()) + "\n";
        CsvTable mixed = CsvTable.parse(header + row(1, "handover", 35) + row(2, "checkpoint", 4_000_000)
                + row(3, "handover", 36) + row(4, "checkpoint", 4_100_000), "mixed");
        assertThat(ReportData.of("t", mixed, List.of()).get("sweep")).isEqualTo(false);
    }

    private static String row(int n, String strategy, long size) {
        List<String> values = new ArrayList<>();
        for (String column : MigrationColumns.header()) {
            values.add(switch (column) {
                case "migration" -> Integer.toString(n);
                case "strategy" -> strategy;
                case "started" -> "2026-11-30T06:00:0" + n + ".000000000Z";
                case "total_ms" -> "100.000";
                case "state_bytes" -> Long.toString(size);
                default -> "";
            });
        }
        return CsvWriter.line(values);
    }

    @Test
    @SuppressWarnings("unchecked")
    void a_failed_migration_is_marked_failed_with_its_time_and_no_downtime_or_size_to_plot() {
        Map<String, String> run = Map.of("run", "1");
        MigrationFailure failure = new MigrationFailure("counter", "checkpoint", "h2", "h3", 100, "target crashed",
                Instant.parse("2026-11-30T06:00:05Z"), Instant.parse("2026-11-30T06:00:05.500Z"));
        CsvTable table = CsvTable.parse(CsvWriter.line(MigrationColumns.header(List.of("run")))
                + CsvWriter.line(MigrationColumns.row(1, run, Instant.parse("2026-11-30T06:00:01Z"),
                        MigrationColumnsTest.report(List.of()), 0))
                + CsvWriter.line(MigrationColumns.failedRow(2, run, failure, 0)), "t");
        Map<String, Object> data = ReportData.of("t", table, List.of());
        List<Map<String, Object>> migrations = (List<Map<String, Object>>) data.get("migrations");
        assertThat(migrations.get(0)).containsEntry("failed", false).containsEntry("downtime_ms", 4.0);
        assertThat(migrations.get(1)).containsEntry("failed", true).containsEntry("downtime_ms", null)
                .containsEntry("service_gap_ms", null).containsEntry("state_size", null)
                .containsEntry("total_ms", 500.0).containsEntry("end", 4.5)
                .containsEntry("label", "#2 counter h2\u2192h3 failed");
        assertThat((List<String>) data.get("tableColumns")).contains("outcome", "error");
    }

    @Test
    @SuppressWarnings("unchecked")
    void a_client_series_of_a_sweep_is_named_by_its_combination_and_a_run_without_values_by_its_number() {
        List<String> sweep = List.of("sweep_delay", "sweep_mem");
        List<ClientRequest> requests = new ArrayList<>();
        requests.add(request("1", Map.of("sweep_delay", "40ms", "sweep_mem", "128m")));
        requests.add(request("2", Map.of("sweep_delay", "80ms", "sweep_mem", "128m")));
        requests.add(request("3", Map.of()));
        // Through requests.csv and back, as 'mignet report DIR' reads them.
        StringBuilder csv = new StringBuilder(CsvWriter.line(ClientRequest.header(sweep)));
        requests.forEach(r -> csv.append(CsvWriter.line(r.row(sweep))));
        List<ClientRequest> back = CsvTable.parse(csv.toString(), "t").rows().stream().map(ClientRequest::fromRow)
                .toList();
        assertThat(back.getFirst().sweep()).containsExactly(Map.entry("sweep_delay", "40ms"),
                Map.entry("sweep_mem", "128m"));

        List<Map<String, Object>> clients = (List<Map<String, Object>>) ReportData.of("t",
                new CsvTable(List.of(), List.of()), back).get("clients");
        assertThat(clients).extracting(c -> c.get("name")).containsExactly("client delay=40ms mem=128m",
                "client delay=80ms mem=128m", "client (run 3)");
    }

    @Test
    @SuppressWarnings("unchecked")
    void two_runs_of_one_combination_stay_apart_by_their_run_numbers() {
        Map<String, String> same = Map.of("sweep_delay", "40ms");
        List<Map<String, Object>> clients = (List<Map<String, Object>>) ReportData.of("t",
                new CsvTable(List.of(), List.of()), List.of(request("1", same), request("2", same))).get("clients");
        assertThat(clients).extracting(c -> c.get("name")).containsExactly("client delay=40ms (run 1)",
                "client delay=40ms (run 2)");
    }

    private static ClientRequest request(String run, Map<String, String> sweep) {
        Instant sent = Instant.parse("2026-11-30T06:00:00Z").plusSeconds(Long.parseLong(run));
        return new ClientRequest("client", run, 1, "", "", sent, sent.plusMillis(1), 0, "ok", "1",
                new java.util.TreeMap<>(sweep));
    }

    private static Map<String, String> event(String time, String kind, String... keyValues) {
        Map<String, String> e = new java.util.LinkedHashMap<>();
        e.put("time", "2026-11-30T06:00:" + time + "Z");
        e.put("kind", kind);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            e.put(keyValues[i], keyValues[i + 1]);
        }
        return e;
    }

    /** A lab of links alone, as events.jsonl has it: a network up, two links, then three changes. */
    private static final List<Map<String, String>> LAB = List.of(
            event("00", "emulation", "id", "lab-7", "topology", "wan", "hosts", "h1 h2"),
            event("00.001", "link-initial", "a", "h1", "b", "s1", "a_to_b", "bw=10Mbit delay=5ms", "b_to_a",
                    "bw=10Mbit delay=5ms"),
            event("00.002", "link-initial", "a", "h2", "b", "s1", "a_to_b", "-", "b_to_a", "-"),
            event("03", "link-set", "a", "h1", "b", "s1", "a_to_b", "delay=20ms loss=1%", "b_to_a", "-"),
            event("04.5", "link-down", "a", "h2", "b", "s1"),
            event("05", "link-up", "a", "h2", "b", "s1"));

    @Test
    @SuppressWarnings("unchecked")
    void a_run_without_requests_or_migrations_has_its_links_with_times_from_the_network_up() {
        Map<String, Object> data = ReportData.of("t", "dir", new CsvTable(List.of(), List.of()), List.of(),
                RunEvents.of(LAB));
        assertThat(data.get("origin")).isEqualTo("2026-11-30T06:00:00.000000000Z");
        assertThat(data.get("directory")).isEqualTo("dir");
        assertThat(data.get("originIsNetworkUp")).isEqualTo(true);
        Map<String, Object> links = (Map<String, Object>) data.get("links");
        List<Map<String, Object>> initial = (List<Map<String, Object>>) links.get("initial");
        assertThat(initial).extracting(l -> l.get("a") + "-" + l.get("b") + " " + l.get("a_to_b") + " / "
                + l.get("b_to_a")).containsExactly("h1-s1 bw=10Mbit delay=5ms / bw=10Mbit delay=5ms",
                        "h2-s1 null / null");
        List<Map<String, Object>> changes = (List<Map<String, Object>>) links.get("changes");
        assertThat(changes).extracting(c -> c.get("t") + " " + c.get("a") + "-" + c.get("b") + " " + c.get("change")
                + " " + c.get("a_to_b") + " / " + c.get("b_to_a")).containsExactly(
                        "3.0 h1-s1 set delay=20ms loss=1% / null", "4.5 h2-s1 down null / null",
                        "5.0 h2-s1 up null / null");
        assertThat(links.get("networks")).isEqualTo(1);
    }

    @Test
    @SuppressWarnings("unchecked")
    void a_link_that_changed_without_a_starting_line_of_an_older_recorder_started_without_parameters() {
        LinkHistory history = LinkHistory.of(List.of(LAB.get(0), LAB.get(3)));
        assertThat(history.initial()).containsExactly(new LinkHistory.StartingLink(1, "h1", "s1", "-", "-"));
        assertThat(history.changes()).singleElement().extracting(LinkHistory.LinkChange::change).isEqualTo("set");
    }

    @Test
    void results_without_link_events_have_no_links_and_the_directory_as_title() {
        Map<String, Object> data = ReportData.of("t", "dir", new CsvTable(List.of(), List.of()), List.of(),
                RunEvents.of(List.of(event("00", "emulation", "id", "x", "topology", "y", "hosts", "h1"))));
        assertThat(data).containsEntry("links", null);
        assertThat(RunIdentity.of(List.of()).title("demo-res")).isEqualTo("mignet results: demo-res");
    }

    @Test
    void the_title_names_the_emulation_and_its_topology_not_the_directory() {
        assertThat(RunIdentity.of(LAB).title("demo-res")).isEqualTo("mignet run lab-7 \u2014 topology wan");
        // An experiment's networks share one id: named once.
        assertThat(RunIdentity.of(List.of(LAB.get(0), LAB.get(0))).title("d")).isEqualTo(
                "mignet run lab-7 \u2014 topology wan");
    }

    @Test
    void text_from_the_files_cannot_end_the_pages_script_element() {
        String html = ReportPage.render("a <b> & \"c\"", Map.of("migrations", List.of(), "clients", List.of(),
                "tableColumns", List.of(), "sweep", false, "note", "</script><script>alert(1)</script>"));
        String data = html.substring(html.indexOf("<script id=\"mignet-data\""));
        data = data.substring(0, data.indexOf("</script>"));
        assertThat(data).contains("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)");
        assertThat(html).contains("<title>a &lt;b&gt; &amp; &quot;c&quot;</title>");
    }
}
