package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.mignet.kernel.EmulationId;
import net.mignet.report.CsvTable;
import net.mignet.report.ResultsFiles;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What {@code run} and {@code demo} leave in their results directory, and {@code mignet report}. */
class ResultsDirectoryTest {
    @TempDir
    Path tmp;

    private Process mignet(Path workingDirectory, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        argv.addAll(List.of(args));
        return new ProcessBuilder(argv).directory(workingDirectory.toFile()).redirectErrorStream(true).start();
    }

    private static String finish(Process p, int seconds) throws Exception {
        p.getOutputStream().close();
        boolean ended = p.waitFor(seconds, TimeUnit.SECONDS);
        if (!ended) {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ended).as("ended within " + seconds + " s: " + out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void the_demo_writes_one_row_per_migration_every_client_request_its_events_and_says_where_its_report_is()
            throws Exception {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("ping");
        Path dir = tmp.resolve("demo-results");
        EmulationId id = EmulationId.fresh("results");
        String out = finish(mignet(Path.of("").toAbsolutePath(), "demo", "--autotest", "--fast", "--id", id.value(),
                "--results", dir.toString()), 120);

        CsvTable migrations = CsvTable.read(dir.resolve(ResultsFiles.MIGRATIONS));
        assertThat(migrations.rows()).hasSize(2);
        assertThat(migrations.rows()).extracting(r -> r.get("from") + "->" + r.get("to")).containsExactly("h2->h3",
                "h3->h2");
        assertThat(migrations.rows()).allSatisfy(r -> {
            assertThat(r.get("strategy")).isEqualTo("handover");
            assertThat(Double.parseDouble(r.get("total_ms"))).isPositive();
            assertThat(r.get("client_downtime_ms")).isNotEmpty();
            assertThat(r.get("requests_lost")).isEqualTo("0");
            assertThat(r.get("phases")).contains("handover=");
        });
        assertThat(Files.readString(dir.resolve(ResultsFiles.MIGRATIONS))).endsWith("\n");

        List<Map<String, String>> requests = CsvTable.read(dir.resolve(ResultsFiles.REQUESTS)).rows();
        assertThat(requests.size()).isGreaterThanOrEqualTo(30);
        assertThat(requests).allSatisfy(r -> assertThat(r.get("result")).isEqualTo("ok"));
        for (int i = 0; i < 30; i++) {
            assertThat(requests.get(i)).containsEntry("client", "client").containsEntry("value",
                    Integer.toString(i + 1));
        }

        List<String> events = Files.readAllLines(dir.resolve(ResultsFiles.EVENTS));
        assertThat(events).filteredOn(l -> l.contains("\"kind\":\"migration\"")).hasSize(2);
        assertThat(events).anyMatch(l -> l.contains("\"kind\":\"app-started\"") && l.contains("\"app\":\"client\""));
        assertThat(events).allMatch(l -> l.startsWith("{\"time\":\"") && l.endsWith("}"));

        Path report = dir.resolve(ResultsFiles.REPORT);
        assertThat(report).exists();
        assertThat(Files.readString(report)).contains("\"migrations\":[{");
        assertThat(out.strip().lines().filter(l -> l.startsWith("*** Report: ")).toList())
                .containsExactly("*** Report: " + report.toAbsolutePath().normalize());
    }

    @Test
    void run_writes_under_mignet_results_by_default_and_nothing_with_no_results() throws Exception {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        Path cwd = Files.createDirectories(tmp.resolve("cwd"));
        String script = "deploy counter h2 counter-service --listen 10.0.0.12:8888\n"
                + "deploy client h1 counter-client --interval 20ms\n"
                + "h1 sleep 0.5\nmigrate counter h3\nh1 sleep 0.3\nlink h1 s1 set delay=1ms\nexit\n";
        Path topology = Path.of("examples/service-migration.yaml").toAbsolutePath();

        EmulationId id = EmulationId.fresh("results");
        Process p = mignet(cwd, "run", topology.toString(), "--id", id.value());
        p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        String out = finish(p, 90);
        Path dir = cwd.resolve("mignet-results").resolve(id.value());
        assertThat(CsvTable.read(dir.resolve(ResultsFiles.MIGRATIONS)).rows()).as(out).hasSize(1);
        assertThat(Files.readAllLines(dir.resolve(ResultsFiles.EVENTS)))
                .anyMatch(l -> l.contains("\"kind\":\"link-set\"") && l.contains("delay=1ms"));
        assertThat(dir.resolve(ResultsFiles.REPORT)).exists();

        EmulationId quiet = EmulationId.fresh("results");
        Process q = mignet(cwd, "run", "--topo", "single,2", "--id", quiet.value(), "--no-results");
        q.getOutputStream().write("exit\n".getBytes(StandardCharsets.UTF_8));
        finish(q, 60);
        assertThat(cwd.resolve("mignet-results").resolve(quiet.value())).doesNotExist();
    }

    @Test
    void an_experiment_records_every_run_of_its_sweep_into_one_directory() throws Exception {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        Path dir = tmp.resolve("experiment-results");
        EmulationId id = EmulationId.fresh("results");
        String out = finish(mignet(Path.of("").toAbsolutePath(), "run", "examples/counter-experiment.yaml",
                "--autotest", "--id", id.value(), "--results", dir.toString()), 180);
        assertThat(out).contains("autotest passed");

        CsvTable migrations = CsvTable.read(dir.resolve(ResultsFiles.MIGRATIONS));
        assertThat(migrations.header()).startsWith("migration", "run", "sweep_strategy", "app", "strategy");
        // The file's timeline migrates five times, once per strategy of its sweep.
        assertThat(migrations.rows()).hasSize(10);
        assertThat(migrations.rows()).allSatisfy(r -> assertThat(r.get("strategy")).isEqualTo(r.get("sweep_strategy")));
        assertThat(migrations.distinct("run")).containsExactly("1", "2");

        CsvTable requests = CsvTable.read(dir.resolve(ResultsFiles.REQUESTS));
        assertThat(requests.distinct("run")).containsExactly("1", "2");
        assertThat(Files.readAllLines(dir.resolve(ResultsFiles.EVENTS)))
                .filteredOn(l -> l.contains("\"kind\":\"run\"")).hasSize(2);
        assertThat(out.lines().filter(l -> l.startsWith("*** Report: "))).hasSize(1);
    }

    @Test
    void report_makes_the_page_again_from_the_csv_files() throws Exception {
        for (String file : List.of(ResultsFiles.MIGRATIONS, ResultsFiles.REQUESTS)) {
            try (InputStream in = getClass().getResourceAsStream("/net/mignet/report/demo/" + file)) {
                Files.copy(in, tmp.resolve(file));
            }
        }
        CommandLine cli = new CommandLine(new Main());
        java.io.PrintStream oldOut = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
            code = cli.execute("report", tmp.toString());
        } finally {
            System.setOut(oldOut);
        }
        assertThat(code).isZero();
        Path page = tmp.resolve(ResultsFiles.REPORT);
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("*** Report: " + page.toAbsolutePath());
        String html = Files.readString(page);
        assertThat(html).contains("<script id=\"mignet-data\"").contains("echarts")
                .doesNotContain("<script src=").doesNotContain("{{");
    }
}
