package net.mignet.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.mignet.migrate.MigrationFailure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** Renders report.html from fixture CSV files and opens it in headless Chromium without any network. */
class ReportPageBrowserTest {
    private static final Pattern DATA = Pattern.compile(
            "<script id=\"mignet-data\" type=\"application/json\">(.*?)</script>", Pattern.DOTALL);

    @TempDir
    Path tmp;

    @BeforeEach
    void needsChromium() {
        Optional<String> why = HeadlessChromium.unavailable();
        why.ifPresent(reason -> System.err.println("SKIPPED: " + reason));
        assumeTrue(why.isEmpty(), why.orElse(""));
    }

    private Path fixture(String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        for (String file : List.of(ResultsFiles.MIGRATIONS, ResultsFiles.REQUESTS, ResultsFiles.EVENTS)) {
            try (InputStream in = getClass().getResourceAsStream(name + "/" + file)) {
                if (in != null) {
                    Files.copy(in, dir.resolve(file));
                }
            }
        }
        return dir;
    }

    private HeadlessChromium chromium() throws IOException {
        return new HeadlessChromium(Files.createDirectories(tmp.resolve("profile")));
    }

    @Test
    void the_report_of_a_run_plots_latency_value_and_downtime_offline_with_one_entry_per_migration()
            throws Exception {
        Path dir = fixture("demo");
        Path page = ReportPage.write(dir);
        HeadlessChromium.Page opened = chromium().open(page);

        assertThat(opened.console()).as("console of the page").isEmpty();
        assertThat(opened.dom()).as("script errors the page caught").doesNotContain("data-errors=")
                .contains("data-rendered=\"yes\"");
        for (String chart : List.of("latency-chart", "value-chart", "downtime-chart")) {
            assertThat(plotElements(opened.dom(), chart)).as(chart).isGreaterThan(0);
        }
        assertThat(svgShapes(opened.dom(), "latency-chart")).as("points and shaded phases").isGreaterThan(400);
        assertThat(opened.dom()).contains("id=\"sweep-section\" hidden");
        // Link changes and the failed migration of events.jsonl are marked on the time plots.
        assertThat(element(opened.dom(), "latency-chart")).contains("h1-s1 delay=20ms", "failed: counter h2");
        // ... and the links have a section of their own, titled by the emulation rather than the directory.
        assertThat(opened.dom()).doesNotContain("id=\"links-section\" hidden")
                .contains("<title>mignet run fixture-1a2b \u2014 topology service-migration</title>")
                .contains("results directory: demo");
        assertThat(count(table(opened.dom(), "link-changes-table"), "<tr class=\"link-change\">")).isEqualTo(2);

        int migrations = CsvTable.read(dir.resolve(ResultsFiles.MIGRATIONS)).rows().size();
        assertThat(migrations).isEqualTo(3);
        assertThat(pageData(opened.dom()).get("migrations")).asList().hasSize(migrations);
        assertThat(opened.dom()).contains("data-migrations=\"" + migrations + "\"");
        assertThat(count(opened.dom(), "<tr class=\"migration\">")).isEqualTo(migrations);

        Path png = tmp.resolve("report.png");
        chromium().screenshot(page, png, 1280, 2200);
        assertThat(Files.size(png)).as("screenshot").isGreaterThan(20_000);
    }

    @Test
    void a_sweep_over_state_sizes_adds_downtime_and_total_time_against_size_per_strategy() throws Exception {
        Path dir = fixture("sweep");
        HeadlessChromium.Page opened = chromium().open(ReportPage.write(dir));

        assertThat(opened.console()).as("console of the page").isEmpty();
        assertThat(opened.dom()).doesNotContain("data-errors=").doesNotContain("id=\"sweep-section\" hidden");
        assertThat(plotElements(opened.dom(), "sweep-downtime-chart")).isGreaterThan(0);
        assertThat(plotElements(opened.dom(), "sweep-total-chart")).isGreaterThan(0);
        assertThat(opened.dom()).contains("stop-and-copy", "pre-copy", "post-copy", "<th>sweep_size</th>");
        // Results without events.jsonl (older ones): no links to show, the directory names the page.
        assertThat(opened.dom()).contains("id=\"links-section\" hidden", "<title>mignet results: sweep</title>");
        assertThat(pageData(opened.dom()).get("migrations")).asList().hasSize(9);
        assertThat(count(opened.dom(), "<tr class=\"migration\">")).isEqualTo(9);
    }

    @Test
    void a_failed_migration_shows_as_failed_and_client_series_by_their_sweep_combination() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("failed"));
        Instant t0 = Instant.parse("2026-11-30T06:00:00Z");
        List<String> runColumns = List.of("run", "sweep_delay", "sweep_mem");
        StringBuilder migrations = new StringBuilder(CsvWriter.line(MigrationColumns.header(runColumns)));
        StringBuilder requests = new StringBuilder(CsvWriter.line(ClientRequest.header(runColumns.subList(1, 3))));
        for (int run = 1; run <= 2; run++) {
            Map<String, String> values = new LinkedHashMap<>();
            values.put("run", Integer.toString(run));
            values.put("sweep_delay", run * 40 + "ms");
            values.put("sweep_mem", "128m");
            Instant start = t0.plusSeconds(10L * run);
            migrations.append(CsvWriter.line(run == 1
                    ? MigrationColumns.row(run, values, start.plusSeconds(2), MigrationColumnsTest.report(List.of()), 0)
                    : MigrationColumns.failedRow(run, values, new MigrationFailure("counter", "checkpoint", "h2", "h3",
                            100, "target crashed", start.plusSeconds(2), start.plusSeconds(3)), 0)));
            for (int seq = 1; seq <= 50; seq++) {
                Instant sent = start.plusMillis(100L * seq);
                requests.append(CsvWriter.line(new ClientRequest("client", values.get("run"), seq, "", "", sent,
                        sent.plusMillis(1), 0, "ok", Integer.toString(seq), ClientRequest.sweepOf(values))
                        .row(runColumns.subList(1, 3))));
            }
        }
        Files.writeString(dir.resolve(ResultsFiles.MIGRATIONS), migrations);
        Files.writeString(dir.resolve(ResultsFiles.REQUESTS), requests);
        HeadlessChromium.Page opened = chromium().open(ReportPage.write(dir));

        assertThat(opened.console()).as("console of the page").isEmpty();
        assertThat(opened.dom()).doesNotContain("data-errors=").contains("data-rendered=\"yes\"")
                .contains("data-migrations=\"2\"", "data-failed-migrations=\"1\"");
        assertThat(count(opened.dom(), "<tr class=\"migration\">")).isEqualTo(1);
        assertThat(count(opened.dom(), "<tr class=\"migration failed\"")).isEqualTo(1);
        assertThat(element(opened.dom(), "downtime-chart")).contains("failed (time until rolled back)");
        assertThat(element(opened.dom(), "latency-chart")).contains("client delay=40ms mem=128m",
                "client delay=80ms mem=128m").doesNotContain("(run 1)");
    }

    @Test
    void a_lab_of_links_alone_shows_its_links_and_changes_and_says_in_a_line_it_had_no_clients_or_migrations()
            throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("demo-res"));
        Files.writeString(dir.resolve(ResultsFiles.MIGRATIONS),
                CsvWriter.line(MigrationColumns.header(List.of("run"))));
        Files.writeString(dir.resolve(ResultsFiles.REQUESTS), CsvWriter.line(ClientRequest.header(List.of())));
        Files.writeString(dir.resolve(ResultsFiles.EVENTS), String.join("\n",
                "{\"time\":\"2026-12-03T18:46:15.9Z\",\"kind\":\"emulation\",\"id\":\"rl-1\",\"topology\":\"single-2\","
                        + "\"hosts\":\"h1 h2\"}",
                "{\"time\":\"2026-12-03T18:46:15.9Z\",\"kind\":\"link-initial\",\"a\":\"h1\",\"b\":\"s1\","
                        + "\"a_to_b\":\"bw=10Mbit\",\"b_to_a\":\"bw=5Mbit\"}",
                "{\"time\":\"2026-12-03T18:46:15.9Z\",\"kind\":\"link-initial\",\"a\":\"h2\",\"b\":\"s1\","
                        + "\"a_to_b\":\"-\",\"b_to_a\":\"-\"}",
                "{\"time\":\"2026-12-03T18:46:16.4Z\",\"kind\":\"link-set\",\"a\":\"h1\",\"b\":\"s1\","
                        + "\"a_to_b\":\"delay=20ms loss=1%\",\"b_to_a\":\"delay=20ms loss=1%\"}",
                "{\"time\":\"2026-12-03T18:46:16.5Z\",\"kind\":\"link-down\",\"a\":\"h2\",\"b\":\"s1\"}",
                "{\"time\":\"2026-12-03T18:46:16.6Z\",\"kind\":\"link-up\",\"a\":\"h2\",\"b\":\"s1\"}") + "\n");
        HeadlessChromium.Page opened = chromium().open(ReportPage.write(dir));
        String dom = opened.dom();

        assertThat(opened.console()).as("console of the page").isEmpty();
        assertThat(dom).doesNotContain("data-errors=").contains("data-rendered=\"yes\"")
                .contains("<title>mignet run rl-1 \u2014 topology single-2</title>", "results directory: demo-res")
                .contains("This run had no client requests and no migrations: 2 link(s), 3 link change(s); time 0 s"
                        + " is the network up, 2026-12-03T18:46:15.9")
                .doesNotContain("No client requests, migrations or link changes");
        // Nothing to plot: no empty charts, no empty migrations table.
        for (String section : List.of("latency-section", "value-section", "downtime-section", "table-section")) {
            assertThat(dom).as(section).contains("id=\"" + section + "\" hidden");
        }
        assertThat(plotElements(dom, "latency-chart")).isZero();
        assertThat(dom).doesNotContain("id=\"links-section\" hidden").contains("data-links=\"2\"",
                "data-link-changes=\"3\"");
        String start = table(dom, "links-table");
        assertThat(count(start, "<tr class=\"link\">")).isEqualTo(2);
        assertThat(start).contains("h1 \u2013 s1", "bw=10Mbit", "bw=5Mbit", "<td class=\"none\">none</td>");
        String changes = table(dom, "link-changes-table");
        assertThat(count(changes, "<tr class=\"link-change\">")).isEqualTo(3);
        // Times count from the network up, in time order, with the new parameters per direction.
        assertThat(changes).containsSubsequence("0.500", "delay=20ms loss=1%", "delay=20ms loss=1%", "0.600",
                "<td class=\"down\">down</td>", "0.700", "<td class=\"up\">up</td>");
    }

    /** svg or canvas elements inside the element with that id. */
    private static int plotElements(String dom, String id) {
        String inside = element(dom, id);
        return count(inside, "<svg") + count(inside, "<canvas");
    }

    private static int svgShapes(String dom, String id) {
        String inside = element(dom, id);
        return count(inside, "<path") + count(inside, "<rect");
    }

    /** The DOM from the element with that id up to the next chart or section. */
    private static String element(String dom, String id) {
        int start = dom.indexOf("id=\"" + id + "\"");
        assertThat(start).as("element #" + id).isGreaterThanOrEqualTo(0);
        int end = dom.indexOf("class=\"chart", start + 1);
        int section = dom.indexOf("</section>", start);
        end = end < 0 || (section >= 0 && section < end) ? section : end;
        return dom.substring(start, end < 0 ? dom.length() : end);
    }

    /** The DOM of the table with that id. */
    private static String table(String dom, String id) {
        String inside = element(dom, id);
        return inside.substring(0, inside.indexOf("</table>"));
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> pageData(String dom) {
        Matcher m = DATA.matcher(dom);
        assertThat(m.find()).as("the page's data element").isTrue();
        // JSON is YAML: the engine that reads topology files reads the page's data too.
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(m.group(1));
    }
}
