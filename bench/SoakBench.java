// Hours of use in one run: the reference scenario (examples/service-migration.yaml) with mignet's counter service
// and a client asking every 10 ms, a migration every 10 s that alternates the strategies (handover, recipe,
// checkpoint: the built-in service hands over on SIGTERM too, which is its recipe), and a flap of the client's
// link every minute (down 500 ms). Checks that the counter goes on 1, 2, 3, ... without a value lost or repeated,
// and prints what the emulator holds at the start, every 5 minutes and at the end: heap after a GC, open
// descriptors (/proc/self/fd), threads, namespaces, processes in them and the JVM's child processes, nft rules.
//
//     sudo bench/run SoakBench [--duration 30m] [--migrate-every 10s] [--flap-every 60s] [--report-every 5m]
//
// The default run takes 30 minutes and a few seconds; the test suite never runs it. Exits 1 when a counter value
// was lost or repeated. Migrations that fail roll back and are counted; they must not break the counter either.
// Without a working criu the checkpoint turns are skipped (said at the start).

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.mignet.app.App;
import net.mignet.app.AppManager;
import net.mignet.apps.CounterClient;
import net.mignet.apps.CounterService;
import net.mignet.image.CriuInstallation;
import net.mignet.kernel.Command;
import net.mignet.kernel.NamespaceProcesses;
import net.mignet.kernel.NetnsPaths;
import net.mignet.migrate.Migration;
import net.mignet.migrate.MigrationReport;
import net.mignet.net.Emulation;
import net.mignet.topo.MigrationRecipe;
import net.mignet.topo.YamlTopologyLoader;

/** What the emulator holds at one moment. */
record Sample(Duration at, double heapMb, long fds, int threads, int namespaces, int processes, long children,
        int nftRules, long replies, int migrations, int failed, int flaps) {
    String line() {
        return String.format(Locale.ROOT, "[%3d:%02d] heap %6.1f MB  fds %4d  threads %4d  namespaces %2d  processes"
                + " %3d (children %3d)  nft rules %3d  | replies %8d  migrations %4d (failed %d)  flaps %3d",
                at.toMinutes(), at.toSecondsPart(), heapMb, fds, threads, namespaces, processes, children, nftRules,
                replies, migrations, failed, flaps);
    }
}

/** Reads the client's log file as it grows and checks every counter value against the one expected next. */
final class CounterCheck {
    private final Path file;
    private long offset;
    private long next = 1;
    long replies;
    final List<String> violations = new ArrayList<>();

    CounterCheck(Path file) {
        this.file = file;
    }

    void readNew() throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long length = f.length();
            if (length <= offset) {
                return;
            }
            byte[] bytes = new byte[(int) (length - offset)];
            f.seek(offset);
            f.readFully(bytes);
            int end = new String(bytes, StandardCharsets.UTF_8).lastIndexOf('\n');
            if (end < 0) {
                return;
            }
            String complete = new String(bytes, StandardCharsets.UTF_8).substring(0, end + 1);
            offset += complete.getBytes(StandardCharsets.UTF_8).length;
            for (String line : complete.split("\n")) {
                int i = line.indexOf(" Current counter: ");
                if (i < 0) {
                    continue;
                }
                long value = Long.parseLong(line.substring(i + 18).strip());
                replies++;
                if (value != next && violations.size() < 20) {
                    violations.add((value > next ? "lost " + next + ".." + (value - 1) : "repeated " + value)
                            + " at " + line.substring(0, i));
                }
                next = Math.max(next, value + 1);
            }
        }
    }
}

static Duration parseDuration(String text) {
    String t = text.strip();
    char unit = t.charAt(t.length() - 1);
    if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
    }
    long n = Long.parseLong(t.substring(0, t.length() - 1));
    return switch (unit) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default -> throw new IllegalArgumentException("'" + text + "': write a duration like 30m, 90s or 1h");
    };
}

void main(String[] args) throws Exception {
    Duration duration = Duration.ofMinutes(30);
    Duration migrateEvery = Duration.ofSeconds(10);
    Duration flapEvery = Duration.ofSeconds(60);
    Duration reportEvery = Duration.ofMinutes(5);
    for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
            case "--duration" -> duration = parseDuration(args[++i]);
            case "--migrate-every" -> migrateEvery = parseDuration(args[++i]);
            case "--flap-every" -> flapEvery = parseDuration(args[++i]);
            case "--report-every" -> reportEvery = parseDuration(args[++i]);
            default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; usage: bench/run SoakBench"
                    + " [--duration 30m] [--migrate-every 10s] [--flap-every 60s] [--report-every 5m]");
        }
    }
    List<String> strategies = new ArrayList<>(List.of("handover", "recipe", "checkpoint"));
    if (!CriuInstallation.find().isAvailable()) {
        System.out.println("no working criu: " + CriuInstallation.find().unavailableReason()
                + "; checkpoint turns are skipped");
        strategies.remove("checkpoint");
    }
    System.out.println("soak: " + duration.toSeconds() + " s, a migration every " + migrateEvery.toSeconds()
            + " s (" + String.join(", ", strategies) + " in turn), a flap of h1-s1 every " + flapEvery.toSeconds()
            + " s, a report every " + reportEvery.toSeconds() + " s");
    List<Sample> samples = new ArrayList<>();
    CounterCheck check;
    long t0 = System.nanoTime();
    AtomicInteger flaps = new AtomicInteger();
    int migrations = 0;
    int failed = 0;
    Map<String, List<Double>> downtimes = new java.util.TreeMap<>();
    String prefix;
    try (Emulation net = Emulation.start(YamlTopologyLoader.load(Path.of("examples/service-migration.yaml")));
            AppManager apps = new AppManager(net)) {
        prefix = net.id().namespacePrefix();
        App service = apps.deployJava("counter", net.host("h2"), CounterService.class,
                List.of("--listen", "10.0.0.12:8888"));
        if (service.log().await(l -> l.text().startsWith("@mignet event=serving"), Duration.ofSeconds(30)).isEmpty()) {
            throw new IllegalStateException("the counter service did not start: " + service.log().lines());
        }
        // Its recipe: the same command taking the state from the old instance, which hands over on SIGTERM.
        String successor = service.argv().stream().map(w -> "'" + w + "'").collect(Collectors.joining(" "))
                + " --state-from {from_ip}:9999";
        MigrationRecipe recipe = MigrationRecipe.of(Map.of("successor", successor, "ready", "log:event=awaiting-state",
                "trigger", "TERM", "done", "log:event=state-received"));
        App client = apps.deployJava("client", net.host("h1"), CounterClient.class,
                List.of("--server", "10.0.0.12:8888", "--interval", "10ms"));
        check = new CounterCheck(net.id().stateDirectory().resolve("apps").resolve("client.log"));
        if (client.log().await(l -> l.text().startsWith("Current counter: 3"), Duration.ofSeconds(30)).isEmpty()) {
            throw new IllegalStateException("the client got no replies: " + client.log().lines());
        }
        samples.add(sample(net, check, Duration.ZERO, 0, 0, 0));
        System.out.println(samples.getLast().line());
        Thread flapper = Thread.ofVirtual().name("soak-flaps").start(flapEvery(net, flapEvery, flaps));
        long end = t0 + duration.toNanos();
        long nextMigration = System.nanoTime() + migrateEvery.toNanos();
        long nextReport = t0 + reportEvery.toNanos();
        try {
            while (System.nanoTime() < end) {
                long wake = Math.min(end, Math.min(nextMigration, nextReport));
                Thread.sleep(Duration.ofNanos(Math.max(0, wake - System.nanoTime())));
                check.readNew();
                if (System.nanoTime() >= nextReport) {
                    samples.add(sample(net, check, Duration.ofNanos(System.nanoTime() - t0), migrations, failed,
                            flaps.get()));
                    System.out.println(samples.getLast().line());
                    nextReport += reportEvery.toNanos();
                }
                if (System.nanoTime() >= nextMigration && System.nanoTime() < end) {
                    String strategy = strategies.get(migrations % strategies.size());
                    String target = apps.get("counter").host().name().equals("h2") ? "h3" : "h2";
                    Migration m = Migration.of(apps, "counter").to(net.host(target)).observedBy(client);
                    m = strategy.equals("recipe") ? m.recipe(recipe) : m.strategy(strategy);
                    migrations++;
                    try {
                        MigrationReport r = m.run();
                        downtimes.computeIfAbsent(strategy, k -> new ArrayList<>())
                                .add(r.client() == null ? Double.NaN : r.client().downtime().toNanos() / 1e6);
                    } catch (RuntimeException e) {
                        failed++;
                        System.out.println("  migration " + migrations + " (" + strategy + ") failed: "
                                + e.getMessage());
                    }
                    nextMigration = Math.max(nextMigration + migrateEvery.toNanos(), System.nanoTime());
                }
            }
        } finally {
            flapper.interrupt();
            flapper.join();
        }
        net.faults().flaps().forEach(f -> {
            try {
                f.await(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        client.stop(Duration.ofSeconds(2));
        check.readNew();
        samples.add(sample(net, check, Duration.ofNanos(System.nanoTime() - t0), migrations, failed, flaps.get()));
        System.out.println(samples.getLast().line());
    }
    long leftNamespaces = NetnsPaths.list().stream().filter(n -> n.startsWith(prefix)).count();
    System.out.println();
    for (Map.Entry<String, List<Double>> e : downtimes.entrySet()) {
        List<Double> sorted = e.getValue().stream().filter(d -> !d.isNaN()).sorted().toList();
        System.out.printf(Locale.ROOT, "%-10s %4d migrations, client downtime p50 %.1f ms, max %.1f ms%n", e.getKey(),
                e.getValue().size(), sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() / 2),
                sorted.isEmpty() ? Double.NaN : sorted.getLast());
    }
    Sample first = samples.getFirst();
    Sample last = samples.getLast();
    System.out.printf(Locale.ROOT, "growth start -> end: heap %+.1f MB, fds %+d, threads %+d, namespaces %+d,"
            + " processes %+d, children %+d, nft rules %+d%n", last.heapMb() - first.heapMb(), last.fds() - first.fds(),
            last.threads() - first.threads(), last.namespaces() - first.namespaces(),
            last.processes() - first.processes(), last.children() - first.children(),
            last.nftRules() - first.nftRules());
    System.out.println("after teardown: " + leftNamespaces + " namespaces of the scenario left");
    System.out.println("counter: " + check.replies + " replies, " + (check.violations.isEmpty()
            ? "strictly 1, 2, 3, ... (nothing lost or repeated)" : "BROKEN: " + check.violations));
    System.out.println("migrations: " + migrations + ", failed and rolled back: " + failed + "; flaps: " + flaps.get());
    if (!check.violations.isEmpty()) {
        System.exit(1);
    }
}

/** A flap of the client's link (one cycle of 1 s: down 500 ms, up) every {@code every}. */
Runnable flapEvery(Emulation net, Duration every, AtomicInteger flaps) {
    return () -> {
        try {
            while (true) {
                Thread.sleep(every);
                if (net.faults().flaps().isEmpty() && !net.isClosed()) {
                    net.faults().flap("h1", "s1", Duration.ofSeconds(1), 1, r -> {
                        flaps.incrementAndGet();
                        if (r.error() != null) {
                            System.out.println("  " + r.describe());
                        }
                    });
                }
            }
        } catch (InterruptedException e) {
            // the soak is over
        }
    };
}

Sample sample(Emulation net, CounterCheck check, Duration at, int migrations, int failed, int flaps)
        throws IOException {
    System.gc();
    double heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
    long fds;
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
        fds = s.count();
    }
    List<String> namespaces = NetnsPaths.list().stream().filter(n -> n.startsWith(net.id().namespacePrefix())).toList();
    int processes = NamespaceProcesses.in(namespaces).size();
    long children = ProcessHandle.current().descendants().count();
    String ruleset = Command.check(List.of("ip", "netns", "exec", net.id().fabricNamespace(), "nft", "-a", "list",
            "ruleset")).stdout();
    int rules = (int) ruleset.lines().filter(l -> l.contains("# handle") && !l.strip().startsWith("table")
            && !l.strip().startsWith("chain")).count();
    return new Sample(at, heap, fds, ManagementFactory.getThreadMXBean().getThreadCount(), namespaces.size(), processes, children, rules,
            check.replies, migrations, failed, flaps);
}
