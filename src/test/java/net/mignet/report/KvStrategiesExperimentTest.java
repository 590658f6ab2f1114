package net.mignet.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.mignet.experiment.ExperimentRunner;
import net.mignet.experiment.RunResult;
import net.mignet.kernel.EmulationId;
import net.mignet.net.EmulationOptions;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.SweepRun;
import net.mignet.topo.YamlTopologyLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example experiment of the state strategies, run as {@code mignet run examples/kv-strategies.yaml --autotest}
 * runs it, and its report opened offline in headless Chromium.
 */
class KvStrategiesExperimentTest {
    @TempDir
    Path tmp;

    @Test
    void three_strategies_at_three_sizes_pass_and_their_report_renders_every_migration() throws Exception {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        Optional<String> noBrowser = HeadlessChromium.unavailable();
        noBrowser.ifPresent(reason -> System.err.println("SKIPPED: " + reason));
        assumeTrue(noBrowser.isEmpty(), noBrowser.orElse(""));

        List<SweepRun> runs = YamlTopologyLoader.loadExperiment(Path.of("examples/kv-strategies.yaml"));
        assertThat(runs).hasSize(9);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        Path dir = tmp.resolve("results");
        ExperimentRunner runner = new ExperimentRunner(EmulationId.fresh("kv-strategies"), EmulationOptions.DEFAULT,
                out);
        List<RunResult> results;
        try (ResultsRecorder recorder = ResultsRecorder.forExperiment(dir, List.of("size", "strategy"),
                out::println)) {
            runner.observedBy(recorder.runObserver());
            results = runner.run(runs);
        }
        String output = log.toString(StandardCharsets.UTF_8);
        assertThat(results).as(output).allSatisfy(r -> assertThat(r.problems()).isEmpty());
        int migrations = results.stream().mapToInt(r -> r.timeline().migrations().size()).sum();
        assertThat(migrations).isEqualTo(18);
        CsvTable migrationRows = CsvTable.read(dir.resolve(ResultsFiles.MIGRATIONS));
        assertThat(migrationRows.rows()).hasSize(migrations);
        // Each request says its run's combination as its run's migrations do, without a join with events.jsonl.
        CsvTable requests = CsvTable.read(dir.resolve(ResultsFiles.REQUESTS));
        assertThat(requests.header()).endsWith("sweep_size", "sweep_strategy");
        assertThat(requests.rows()).isNotEmpty().allSatisfy(request -> {
            Map<String, String> migration = migrationRows.rows().stream()
                    .filter(m -> m.get("run").equals(request.get("run"))).findFirst().orElseThrow();
            assertThat(request.get("sweep_size")).isNotEmpty().isEqualTo(migration.get("sweep_size"));
            assertThat(request.get("sweep_strategy")).isEqualTo(migration.get("sweep_strategy"));
        });

        Path page = dir.resolve("report.html");
        HeadlessChromium.Page opened = new HeadlessChromium(Files.createDirectories(tmp.resolve("profile")))
                .open(page);
        assertThat(opened.console()).as("console of the page").isEmpty();
        assertThat(opened.dom()).doesNotContain("data-errors=").contains("data-rendered=\"yes\"")
                .contains("data-migrations=\"" + migrations + "\"")
                .doesNotContain("id=\"sweep-section\" hidden");
        for (String chart : List.of("latency-chart", "downtime-chart", "sweep-downtime-chart", "sweep-total-chart")) {
            String inside = opened.dom().substring(opened.dom().indexOf("id=\"" + chart + "\""));
            assertThat(inside.indexOf("<svg") >= 0 || inside.indexOf("<canvas") >= 0).as(chart).isTrue();
        }
        Path png = tmp.resolve("report.png");
        new HeadlessChromium(Files.createDirectories(tmp.resolve("profile2"))).screenshot(page, png, 1280, 2200);
        assertThat(Files.size(png)).as("screenshot").isGreaterThan(20_000);
    }
}
