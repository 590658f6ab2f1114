package net.mignet.topo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.mignet.kernel.Cleaner;
import net.mignet.kernel.EmulationOwner;
import net.mignet.kernel.EmulationId;
import net.mignet.kernel.NetnsPaths;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feeds the topology loader 2 000 malformed and hostile documents made from frozen copies of the examples
 * (src/test/resources/net/mignet/topo/fuzz-seeds, so the documents do not change when the examples do): each
 * loads, or is refused with a {@link TopologyException} carrying a message; nothing else is thrown (2000 levels of
 * nesting threw StackOverflowError on 2026-11-30), and no load takes longer than {@link #BOUND}. A sample goes
 * through the real build path, and a refused file leaves no namespace behind. {@code bench/run FuzzBench}
 * runs 10 000.
 */
class TopologyFuzzTest {
    static final List<String> SEED_FILES = List.of("original-programs.yaml", "service-migration.yaml",
            "two-hosts.yaml");
    static final long SEED = 20_261_130L;
    private static final int DOCUMENTS = 2_000;
    private static final Duration BOUND = Duration.ofSeconds(10);

    static List<String> seeds() throws IOException {
        List<String> seeds = new ArrayList<>();
        for (String name : SEED_FILES) {
            try (InputStream in = TopologyFuzzTest.class.getResourceAsStream("fuzz-seeds/" + name)) {
                assertThat(in).as("frozen seed %s", name).isNotNull();
                seeds.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return seeds;
    }

    /** What loading one document did: null when it loaded, the refusal's message, or a failure. */
    private record Outcome(boolean loaded, String refusal, String failure) {
    }

    private static Outcome load(ExecutorService executor, TopologyFuzzer.Document doc) throws InterruptedException {
        Future<Lab> result = executor.submit(() -> YamlTopologyLoader.parseLab(doc.text(), "fuzz-" + doc.index()
                + ".yaml"));
        try {
            result.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            return new Outcome(true, null, null);
        } catch (TimeoutException e) {
            result.cancel(true);
            return new Outcome(false, null, "no answer within " + BOUND.toSeconds() + " s");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TopologyException t && t.getMessage() != null && !t.getMessage().isBlank()
                    && !t.getMessage().contains("\tat ") && !t.getMessage().contains(YamlTopologyLoader.READER_FAILED)) {
                return new Outcome(false, t.getMessage(), null);
            }
            return new Outcome(false, null, cause.getClass().getName() + ": " + cause.getMessage());
        }
    }

    @Test
    void every_hostile_document_loads_or_is_refused_with_a_message() throws Exception {
        TopologyFuzzer fuzzer = new TopologyFuzzer(seeds(), SEED);
        Map<String, int[]> byKind = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < DOCUMENTS; i++) {
                TopologyFuzzer.Document doc = fuzzer.document(i);
                long start = System.nanoTime();
                Outcome o = load(executor, doc);
                int[] counts = byKind.computeIfAbsent(doc.kind(), k -> new int[3]);
                counts[o.loaded() ? 0 : 1]++;
                counts[2] += (int) ((System.nanoTime() - start) / 1_000_000);
                if (o.failure() != null) {
                    failures.add("document " + i + " (" + doc.kind() + "): " + o.failure());
                    executor.shutdownNow();
                    executor = Executors.newSingleThreadExecutor();
                }
            }
        } finally {
            executor.shutdownNow();
        }
        System.err.printf("fuzz: %d documents in %.1f s; loaded/refused by kind: %s%n", DOCUMENTS,
                (System.nanoTime() - t0) / 1e9, describe(byKind));
        assertThat(failures).as("documents that neither loaded nor were refused with a message").isEmpty();
        // The generator must really produce hostile input, and the loader really refuse most of it.
        assertThat(byKind).containsKeys("deep-nesting", "alias-bomb", "binary-junk", "long-line", "hostile-name");
        assertThat(byKind.get("deep-nesting")[1]).isEqualTo(byKind.get("deep-nesting")[0] + byKind.get("deep-nesting")[1]);
    }

    @Test
    void the_documents_are_the_same_on_every_run() throws Exception {
        TopologyFuzzer a = new TopologyFuzzer(seeds(), SEED);
        TopologyFuzzer b = new TopologyFuzzer(seeds(), SEED);
        for (int i : new int[] {0, 7, 500, 1999}) {
            assertThat(a.document(i)).isEqualTo(b.document(i));
        }
    }

    @Test
    void two_thousand_levels_of_nesting_are_refused_with_the_line() {
        String yaml = "name: deep\nhosts: " + "[".repeat(2000) + "]".repeat(2000) + "\n";
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> YamlTopologyLoader.parse(yaml, "d.yaml")))
                .isInstanceOf(TopologyException.class)
                .hasMessageStartingWith("d.yaml:2: the YAML nests lists and mappings more than 64 levels deep");
    }

    /** Found by bench/FuzzBench (document 5708): the YAML reader failed with an index error on these. */
    @Test
    void unpaired_surrogates_are_refused_with_the_line() {
        String yaml = "name: x\n# " + "a".repeat(1020) + "\ud800\ud800\nhosts:\n";
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> YamlTopologyLoader.parse(yaml, "s.yaml")))
                .isInstanceOf(TopologyException.class)
                .hasMessage("s.yaml:2: the text holds an unpaired UTF-16 surrogate, which is no character; save the"
                        + " topology file as UTF-8");
        // A real supplementary character is fine.
        YamlTopologyLoader.parse("# \ud83d\ude00\nhosts:\n  h1:\n", "ok.yaml");
    }

    /**
     * The real build path (load the file, then build the network) on a sample: refused files create nothing, and
     * accepted ones leave nothing once closed; kernel refusals after validation must clean up as well.
     */
    @Test
    void a_refused_file_creates_nothing(@TempDir Path dir) throws Exception {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        TopologyFuzzer fuzzer = new TopologyFuzzer(seeds(), SEED);
        int refused = 0;
        int built = 0;
        for (int i = 0; i < DOCUMENTS && (refused < 12 || built < 4); i++) {
            TopologyFuzzer.Document doc = fuzzer.document(i);
            if (doc.text().length() > 100_000) {
                continue;
            }
            Path file = dir.resolve("fuzz-" + i + ".yaml");
            Files.write(file, doc.text().getBytes(StandardCharsets.UTF_8)); // lone surrogates become '?'

            List<String> namespaces = NetnsPaths.list();
            List<String> states = Cleaner.stateDirectories();
            Lab lab;
            try {
                lab = YamlTopologyLoader.loadLab(file);
            } catch (TopologyException e) {
                if (refused++ < 12) {
                    assertThat(leftovers(namespaces, states)).as("document %d", i).isEmpty();
                }
                continue;
            }
            if (built >= 4 || lab.topology().hosts().size() > 20) {
                continue;
            }
            built++;
            try (Emulation net = Emulation.start(lab.topology(), EmulationId.fresh(lab.topology().name()),
                    line -> { })) {
                assertThat(net.hosts()).hasSize(lab.topology().hosts().size());
            } catch (RuntimeException kernelRefused) {
                System.err.println("fuzz document " + i + " refused while building: " + kernelRefused.getMessage());
            }
            assertThat(leftovers(namespaces, states)).as("document %d (%s)", i, doc.kind()).isEmpty();
        }
        assertThat(refused).isGreaterThanOrEqualTo(12);
        assertThat(built).isPositive();
    }

    /**
     * Namespaces and state directories that appeared since {@code before} and are this process's: other
     * emulations (other test runs on this machine) come and go meanwhile. An emulation records its owner before
     * it makes any namespace, so one without an owner is ours too.
     */
    private static List<String> leftovers(List<String> namespacesBefore, List<String> statesBefore) {
        long me = ProcessHandle.current().pid();
        List<String> ours = new ArrayList<>();
        for (String ns : NetnsPaths.list()) {
            EmulationId id = EmulationId.ofNamespace(ns);
            if (!namespacesBefore.contains(ns) && (id == null || EmulationOwner.of(id).map(o -> o.process().pid()).orElse(me) == me)) {
                ours.add(ns);
            }
        }
        for (String state : Cleaner.stateDirectories()) {
            if (!statesBefore.contains(state) && ownedBy(state, me)) {
                ours.add(state);
            }
        }
        return ours;
    }

    private static boolean ownedBy(String emulation, long pid) {
        try {
            return EmulationOwner.of(new EmulationId(emulation)).map(o -> o.process().pid()).orElse(pid) == pid;
        } catch (IllegalArgumentException notAnEmulation) {
            return false;
        }
    }

    private static String describe(Map<String, int[]> byKind) {
        StringBuilder sb = new StringBuilder();
        byKind.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append(' ').append(v[0]).append('/')
                .append(v[1]).append(" in ").append(v[2]).append(" ms"));
        return sb.toString();
    }
}
