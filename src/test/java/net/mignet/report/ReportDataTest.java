package net.mignet.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    void text_from_the_files_cannot_end_the_pages_script_element() {
        String html = ReportPage.render("a <b> & \"c\"", Map.of("migrations", List.of(), "clients", List.of(),
                "tableColumns", List.of(), "sweep", false, "note", "</script><script>alert(1)</script>"));
        String data = html.substring(html.indexOf("<script id=\"mignet-data\""));
        data = data.substring(0, data.indexOf("</script>"));
        assertThat(data).contains("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)");
        assertThat(html).contains("<title>a &lt;b&gt; &amp; &quot;c&quot;</title>");
    }
}
