// Migration strategies side by side, in one run on one network (examples/service-migration.yaml): per strategy,
// 20 migrations back and forth between h2 and h3 while mignet's counter client on h1 asks for the counter:
//
//   handover          mignet's built-in counter service (the documented handover protocol)
//   recipe            the original example's server (examples/original/server.py), by its recipe
//   checkpoint        the same server, started without --get_state, checkpointed and restored with CRIU
//   checkpoint --lazy the same, restored at once with its pages fetched on demand (post-copy)
//
//     sudo bench/run StrategyBench [migrations] [--interval 10ms] [--only handover,recipe,checkpoint,lazy] [--log]
//
// --log prints each migration's progress lines (for checkpoint: the pre-copy, criu's own times).
//
// The original server runs with --pause 0: its 0.5 s sleep after each reply would hide the migration from the
// client. The client sends the original plain request (--plain yes) every 10 ms with a long timeout (2 s), so a
// request is never sent twice: the original server keeps no reply cache, and a retry would be counted twice. Prints client downtime p50/p99/max and the whole migration
// time per strategy, the process's memory for checkpoint, and checks that the counter went strictly 1, 2, 3, ...
// (nothing lost, nothing repeated). Raw numbers go to bench/results/strategies.csv.

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import net.mignet.app.App;
import net.mignet.app.AppManager;
import net.mignet.app.DeployOptions;
import net.mignet.app.LogLine;
import net.mignet.apps.CounterClient;
import net.mignet.apps.CounterService;
import net.mignet.migrate.Migration;
import net.mignet.migrate.MigrationOptions;
import net.mignet.migrate.MigrationReport;
import net.mignet.net.Emulation;
import net.mignet.net.Host;
import net.mignet.topo.MigrationRecipe;
import net.mignet.topo.YamlTopologyLoader;

static final String SERVER = Path.of("examples/original/server.py").toAbsolutePath().toString();

/** One strategy measured: how its service is deployed and how each migration is asked for. */
record Strategy(String name, String key, Deploy deploy, Configure configure) {
}

interface Deploy {
    App on(AppManager apps, Host host) throws Exception;
}

interface Configure {
    Migration apply(Migration m);
}

void main(String[] args) throws Exception {
    int migrations = 20;
    String interval = "10ms";
    List<String> only = List.of("handover", "recipe", "checkpoint", "lazy");
    boolean log = false;
    for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
            case "--interval" -> interval = args[++i];
            case "--only" -> only = List.of(args[++i].split(","));
            case "--log" -> log = true;
            default -> migrations = Integer.parseInt(args[i]);
        }
    }
    MigrationRecipe recipe = MigrationRecipe.of(Map.of("successor", "python3 " + SERVER + " {host} --get_state --pause 0",
            "ready", "udp:9999", "trigger", "TERM", "done", "log:^Got the counter"));
    Deploy original = (apps, host) -> {
        App a = apps.deploy("counter", host, List.of("python3", SERVER, host.name(), "--pause", "0"));
        awaitLine(a, "Serving from");
        return a;
    };
    // Post-copy needs the app in a pid namespace of its own: the copy runs beside the frozen original.
    Deploy originalOwnPidNs = (apps, host) -> {
        App a = apps.deploy("counter", host, List.of("python3", SERVER, host.name(), "--pause", "0"),
                DeployOptions.DEFAULT.withPidNamespace(true));
        awaitLine(a, "Serving from");
        return a;
    };
    List<Strategy> all = List.of(
            new Strategy("handover (built-in service)", "handover", (apps, host) -> {
                App a = apps.deployJava("counter", host, CounterService.class, List.of("--listen", "10.0.0.12:8888"));
                awaitLine(a, "@mignet event=serving");
                return a;
            }, m -> m.strategy("handover")),
            new Strategy("recipe (original server)", "recipe", original, m -> m.recipe(recipe)),
            new Strategy("checkpoint (original server)", "checkpoint", original, m -> m.strategy("checkpoint")),
            new Strategy("checkpoint --lazy (own pid ns)", "lazy", originalOwnPidNs,
                    m -> m.strategy("checkpoint").options(MigrationOptions.DEFAULTS.withLazy(true))));
    Map<Strategy, List<MigrationReport>> reports = new LinkedHashMap<>();
    Map<Strategy, Long> memory = new LinkedHashMap<>();
    String home = "h2"; // where the flows send the service's traffic now
    try (Emulation net = Emulation.start(YamlTopologyLoader.load(Path.of("examples/service-migration.yaml")));
            AppManager apps = new AppManager(net)) {
        for (Strategy s : all) {
            if (!only.contains(s.key())) {
                continue;
            }
            System.err.println("*** " + s.name() + ": " + migrations + " migrations");
            List<MigrationReport> list = new ArrayList<>();
            reports.put(s, list);
            App service = s.deploy().on(apps, net.host(home));
            memory.put(s, residentKb(service.programPid().orElseThrow()));
            App client = apps.deployJava("client", net.host("h1"), CounterClient.class,
                    List.of("--server", "10.0.0.12:8888", "--interval", interval, "--timeout", "2s", "--plain", "yes"));
            awaitCounter(client, 3);
            for (int i = 0; i < migrations; i++) {
                String target = apps.get("counter").host().name().equals("h2") ? "h3" : "h2";
                Migration m = s.configure().apply(Migration.of(apps, "counter").to(net.host(target)))
                        .observedBy(client);
                MigrationReport r = (log ? m.log(line -> System.err.println("    " + line)) : m).run();
                list.add(r);
                System.err.println("  " + (i + 1) + ": " + r.summary());
                awaitCounter(client, counters(client).size() + 2);
            }
            client.stop(Duration.ofSeconds(2));
            List<Long> values = counters(client);
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i) != i + 1) {
                    throw new IllegalStateException(s.name() + ": counter broke at reply " + (i + 1) + ": " + values);
                }
            }
            System.out.printf("%s: counter strictly 1..%d across %d migrations, nothing lost or repeated%n", s.name(),
                    values.size(), migrations);
            home = apps.get("counter").host().name();
            apps.remove("client");
            apps.remove("counter");
        }
    }
    System.out.printf("%n%-30s | %-26s | %-26s | %s%n", "", "client downtime p50/p99/max", "whole migration p50/p99",
            "memory of the service");
    for (Map.Entry<Strategy, List<MigrationReport>> e : reports.entrySet()) {
        List<Double> down = ms(e.getValue(), r -> r.client().downtime());
        List<Double> total = ms(e.getValue(), MigrationReport::total);
        System.out.printf(Locale.ROOT, "%-30s | %7.1f %7.1f %7.1f ms | %9.1f %9.1f ms | %d kB resident%n",
                e.getKey().name(), percentile(down, 50), percentile(down, 99), percentile(down, 100),
                percentile(total, 50), percentile(total, 99), memory.get(e.getKey()));
    }
    Path out = Path.of("bench/results/strategies.csv");
    Files.createDirectories(out.getParent());
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
        w.println("strategy,from,to,downtime_ms,total_ms,state_network_bytes,held_frames,phases");
        for (Map.Entry<Strategy, List<MigrationReport>> e : reports.entrySet()) {
            for (MigrationReport r : e.getValue()) {
                w.printf(Locale.ROOT, "%s,%s,%s,%.3f,%.3f,%d,%d,%s%n", e.getKey().key(), r.from(), r.to(),
                        r.client().downtime().toNanos() / 1e6, r.total().toNanos() / 1e6, r.stateNetworkBytes(),
                        r.held().frames(), String.join(" ", r.phases().stream().map(p -> p.name() + "="
                                + String.format(Locale.ROOT, "%.2f", p.length().toNanos() / 1e6)).toList()));
            }
        }
    }
    System.out.println("raw numbers: " + out);
}

long residentKb(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
            return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
    }
    return -1;
}

void awaitLine(App app, String prefix) throws InterruptedException {
    if (app.log().await(l -> l.text().startsWith(prefix), Duration.ofSeconds(30)).isEmpty()) {
        throw new IllegalStateException(app.name() + " did not print '" + prefix + "': " + app.log().lines());
    }
}

List<Long> counters(App client) {
    return client.log().lines(LogLine.Stream.STDOUT).stream().map(LogLine::text)
            .filter(t -> t.startsWith("Current counter: ")).map(t -> Long.parseLong(t.substring(17))).toList();
}

void awaitCounter(App client, long value) throws InterruptedException {
    if (client.log().await(l -> l.text().equals("Current counter: " + value), Duration.ofSeconds(30)).isEmpty()) {
        throw new IllegalStateException("client did not reach " + value + ": " + counters(client));
    }
}

List<Double> ms(List<MigrationReport> reports, Function<MigrationReport, Duration> f) {
    return reports.stream().map(r -> f.apply(r) == null ? 0.0 : f.apply(r).toNanos() / 1e6).toList();
}

double percentile(List<Double> values, double p) {
    List<Double> sorted = values.stream().sorted(Comparator.naturalOrder()).toList();
    int i = (int) Math.ceil(p / 100 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
}
