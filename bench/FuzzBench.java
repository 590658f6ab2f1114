import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
import net.mignet.kernel.EmulationId;
import net.mignet.kernel.NetnsPaths;
import net.mignet.net.Emulation;
import net.mignet.topo.Lab;
import net.mignet.topo.TopologyException;
import net.mignet.topo.TopologyFuzzer;
import net.mignet.topo.YamlTopologyLoader;

/**
 * The topology-document fuzz test's long run (issue 9): 10 000 malformed and hostile documents generated from the
 * frozen example copies the test uses ({@code src/test/resources/net/mignet/topo/fuzz-seeds}), with the same seed.
 * Every document must load, or be refused with a {@code TopologyException} carrying a message, within 10 s; a
 * sample of them also goes through the real build path and must leave no namespace behind.
 *
 * <pre>
 *   bench/run FuzzBench                      # 10 000 documents, 20 through the build path
 *   bench/run FuzzBench --count 50000 --seed 7 --build 0
 * </pre>
 *
 * Prints, per mutation kind, how many loaded and how many were refused and the time per document, against the
 * time to load the unmutated seed documents in the same run (the ratio says how much dearer hostile input is).
 * Exits 1 if any document failed. Raw numbers go to {@code bench/results/fuzz-<time>.txt}.
 */
public class FuzzBench {
    static final Path SEEDS = Path.of("src/test/resources/net/mignet/topo/fuzz-seeds");
    static final List<String> SEED_FILES = List.of("original-programs.yaml", "service-migration.yaml",
            "two-hosts.yaml");
    static final long BOUND_MS = 10_000;

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int count = Integer.parseInt(opts.getOrDefault("count", "10000"));
        long seed = Long.parseLong(opts.getOrDefault("seed", "20261130"));
        int buildSample = Integer.parseInt(opts.getOrDefault("build", "20"));
        List<String> seeds = new ArrayList<>();
        for (String f : SEED_FILES) {
            seeds.add(Files.readString(SEEDS.resolve(f)));
        }
        double seedMs = seedLoadMillis(seeds);
        TopologyFuzzer fuzzer = new TopologyFuzzer(seeds, seed);
        Map<String, long[]> byKind = new TreeMap<>(); // loaded, refused, nanos, max nanos
        List<String> failures = new ArrayList<>();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            TopologyFuzzer.Document doc = fuzzer.document(i);
            long start = System.nanoTime();
            String failure = null;
            boolean loaded = false;
            Future<Lab> f = executor.submit(() -> YamlTopologyLoader.parseLab(doc.text(), "fuzz-" + doc.index()));
            try {
                f.get(BOUND_MS, TimeUnit.MILLISECONDS);
                loaded = true;
            } catch (TimeoutException e) {
                failure = "no answer within " + BOUND_MS + " ms";
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (!(c instanceof TopologyException t) || t.getMessage() == null || t.getMessage().isBlank()
                        || t.getMessage().contains("the YAML reader failed")) {
                    failure = c.getClass().getName() + ": " + c.getMessage();
                }
            }
            long nanos = System.nanoTime() - start;
            long[] k = byKind.computeIfAbsent(doc.kind(), x -> new long[4]);
            k[loaded ? 0 : 1]++;
            k[2] += nanos;
            k[3] = Math.max(k[3], nanos);
            if (failure != null) {
                failures.add("document " + i + " (" + doc.kind() + "): " + failure);
                executor.shutdownNow();
                executor = Executors.newSingleThreadExecutor();
            }
            if ((i + 1) % 2000 == 0) {
                System.out.printf("  %d documents, %d failures, %.1f s%n", i + 1, failures.size(),
                        (System.nanoTime() - t0) / 1e9);
            }
        }
        executor.shutdownNow();
        double totalS = (System.nanoTime() - t0) / 1e9;
        StringBuilder report = new StringBuilder();
        report.append(String.format("FuzzBench: %d documents (seed %d) in %.1f s; unmutated seed documents load in"
                + " %.2f ms each%n", count, seed, totalS, seedMs));
        report.append(String.format("%-24s %8s %8s %12s %12s %10s%n", "kind", "loaded", "refused", "ms/doc",
                "max ms", "x seed"));
        byKind.forEach((kind, k) -> {
            double perDoc = k[2] / 1e6 / (k[0] + k[1]);
            report.append(String.format("%-24s %8d %8d %12.2f %12.1f %10.1f%n", kind, k[0], k[1], perDoc,
                    k[3] / 1e6, perDoc / seedMs));
        });
        if (buildSample > 0) {
            report.append(buildPath(fuzzer, count, buildSample, failures));
        }
        report.append(failures.isEmpty() ? "no failures\n" : failures.size() + " failures:\n  "
                + String.join("\n  ", failures.subList(0, Math.min(50, failures.size()))) + "\n");
        System.out.print(report);
        Path results = Path.of("bench/results");
        Files.createDirectories(results);
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Files.writeString(results.resolve("fuzz-" + stamp + ".txt"), report.toString());
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    /** Median time to load each unmutated seed, in ms, over 50 rounds after a warm-up. */
    static double seedLoadMillis(List<String> seeds) {
        for (int i = 0; i < 200; i++) {
            YamlTopologyLoader.parseLab(seeds.get(i % seeds.size()), "seed");
        }
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            long t = System.nanoTime();
            YamlTopologyLoader.parseLab(seeds.get(i % seeds.size()), "seed");
            times.add(System.nanoTime() - t);
        }
        times.sort(null);
        return times.get(times.size() / 2) / 1e6;
    }

    /** The real build path on a sample; a document must leave no namespace or state directory of this process. */
    static String buildPath(TopologyFuzzer fuzzer, int count, int sample, List<String> failures) throws Exception {
        if (ProcessHandle.current().info().user().map(u -> !u.equals("root")).orElse(true)) {
            return "build path: skipped (needs root)\n";
        }
        Path dir = Files.createTempDirectory("mignet-fuzz");
        int refused = 0;
        int built = 0;
        int kernelRefused = 0;
        int buildQuota = Math.max(1, sample / 4);
        int refuseQuota = sample - buildQuota;
        for (int i = 0; i < count && (refused < refuseQuota || built < buildQuota); i++) {
            TopologyFuzzer.Document doc = fuzzer.document(i);
            if (doc.text().length() > 100_000) {
                continue;
            }
            Path file = dir.resolve("fuzz-" + i + ".yaml");
            Files.write(file, doc.text().getBytes(StandardCharsets.UTF_8));
            List<String> before = NetnsPaths.list();
            List<String> statesBefore = Cleaner.stateDirectories();
            Lab lab;
            try {
                lab = YamlTopologyLoader.loadLab(file);
            } catch (TopologyException e) {
                lab = null;
            } finally {
                Files.delete(file);
            }
            if (lab == null && refused >= refuseQuota) {
                continue;
            }
            if (lab == null) {
                refused++;
            } else {
                if (lab.topology().hosts().size() > 20 || built >= buildQuota) {
                    continue;
                }
                built++;
                try (Emulation net = Emulation.start(lab.topology(), EmulationId.fresh(lab.topology().name()),
                        line -> { })) {
                    net.hosts().size();
                } catch (RuntimeException e) {
                    kernelRefused++;
                }
            }
            List<String> left = leftovers(before, statesBefore);
            if (!left.isEmpty()) {
                failures.add("document " + i + " (" + doc.kind() + ") left " + left);
            }
        }
        Files.delete(dir);
        return String.format("build path: %d refused files and %d built (%d of them refused by the kernel), checked"
                + " for leftovers%n", refused, built, kernelRefused);
    }

    /** This process's new namespaces and state directories; other emulations on the machine come and go. */
    static List<String> leftovers(List<String> before, List<String> statesBefore) {
        long me = ProcessHandle.current().pid();
        List<String> ours = new ArrayList<>();
        for (String ns : NetnsPaths.list()) {
            EmulationId id = EmulationId.ofNamespace(ns);
            if (!before.contains(ns) && (id == null || Cleaner.ownerOf(id).orElse(me) == me)) {
                ours.add(ns);
            }
        }
        for (String state : Cleaner.stateDirectories()) {
            if (!statesBefore.contains(state)) {
                try {
                    if (Cleaner.ownerOf(new EmulationId(state)).orElse(me) == me) {
                        ours.add(state);
                    }
                } catch (IllegalArgumentException notAnEmulation) {
                    // not one of mignet's
                }
            }
        }
        return ours;
    }
}
