// Migration downtime: 100 migrations of the counter service back and forth between h2 and h3 of the reference
// scenario (examples/service-migration.yaml: internal links 1 ms delay) while a client asks every 10 ms; by
// default once with mignet's built-in counter service (Java) and once with the Python example service on the
// documented handover protocol (examples/python/counter_service.py), in blocks of 10 migrations that alternate
// between the two in the same network, so both see the same machine.
//
//     sudo bench/run MigrationBench [migrations] [--service builtin|python|both] [--internal-loss 10%]
//                                   [--handover-rto-min 5ms]
//
// With --internal-loss, both internal links lose that share of frames in each direction (the state's TCP
// connection then has to recover lost segments). --handover-rto-min is passed to the services (0: the
// kernel's minimum retransmission timeout, 200 ms).
//
// Prints the distribution of client-observed downtime (extra wait of a request beyond the usual round trip)
// and of the service pause (no instance counting) per service, next to the floor measured in the same run: one
// round trip on the internal network plus one flow change. Raw numbers go to bench/results/migration.csv.

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
import net.mignet.app.LogLine;
import net.mignet.apps.CounterClient;
import net.mignet.apps.CounterService;
import net.mignet.flow.FlowRuleParser;
import net.mignet.migrate.Migration;
import net.mignet.migrate.MigrationReport;
import net.mignet.net.Emulation;
import net.mignet.net.Host;
import net.mignet.net.Link;
import net.mignet.net.PingResult;
import net.mignet.topo.Topology;
import net.mignet.topo.YamlTopologyLoader;

/** One of the services measured: how it is deployed; both migrate by the documented handover protocol. */
record Service(String name, String key, Deploy deploy) {
}

interface Deploy {
    App on(AppManager apps, Host host, List<String> options);
}

static final int BLOCK = 10;
static final Path PYTHON_SERVICE = Path.of("examples/python/counter_service.py").toAbsolutePath();

void main(String[] args) throws Exception {
    int migrations = 100;
    String internalLoss = null;
    String which = "both";
    List<String> serviceArgs = new ArrayList<>(List.of("--listen", "10.0.0.12:8888"));
    for (int i = 0; i < args.length; i++) {
        if (args[i].equals("--internal-loss") && i + 1 < args.length) {
            internalLoss = args[++i];
        } else if (args[i].equals("--handover-rto-min") && i + 1 < args.length) {
            serviceArgs.addAll(List.of("--handover-rto-min", args[++i]));
        } else if (args[i].equals("--service") && i + 1 < args.length) {
            which = args[++i];
        } else {
            migrations = Integer.parseInt(args[i]);
        }
    }
    Service builtin = new Service("built-in (Java)", "builtin",
            (apps, host, options) -> apps.deployJava("counter", host, CounterService.class, options));
    Service python = new Service("Python example", "python", (apps, host, options) -> {
        List<String> argv = new ArrayList<>(List.of("python3", PYTHON_SERVICE.toString()));
        argv.addAll(options);
        return apps.deploy("counter", host, argv);
    });
    List<Service> services = switch (which) {
        case "builtin", "java" -> List.of(builtin);
        case "python" -> List.of(python);
        case "both" -> List.of(builtin, python);
        default -> throw new IllegalArgumentException("--service " + which + ": builtin, python or both");
    };
    Map<Service, List<MigrationReport>> reports = new LinkedHashMap<>();
    services.forEach(svc -> reports.put(svc, new ArrayList<>()));
    Topology topo = YamlTopologyLoader.load(Path.of("examples/service-migration.yaml"));
    double internalRttMs;
    double flowChangeMs;
    try (Emulation net = Emulation.start(topo); AppManager apps = new AppManager(net)) {
        PingResult ping = net.host("h2").ping("192.168.0.13", 20, Duration.ofMillis(20));
        internalRttMs = median(ping.rttMillis());
        // One flow change on its own, the way a migration makes it: mod, then back.
        List<Double> changes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String port = i % 2 == 0 ? "s1-h3" : "s1-h2";
            long t0 = System.nanoTime();
            net.switchNamed("s1").flowTable().modify(FlowRuleParser.parseMatch("in_port=s1-h1").match(), null,
                    FlowRuleParser.parse("actions=output:" + port).action());
            changes.add((System.nanoTime() - t0) / 1e6);
        }
        flowChangeMs = median(changes);
        if (internalLoss != null) {
            for (Link l : net.links()) {
                if (l.a().interfaceName().endsWith("-int")) {
                    l.set(l.params().with("loss", internalLoss));
                }
            }
        }

        // Not measured: the first start of each (the built-in service's JVM makes its class-data archive once).
        for (Service svc : services) {
            runBlock(apps, net, svc, serviceArgs, 2, new ArrayList<>());
        }
        // Blocks of an even number of migrations, so every block starts on h2, where the flows point; the
        // services take turns going first.
        int done = 0;
        for (int b = 0; done < migrations; b++) {
            int block = Math.min(BLOCK, migrations - done);
            block += block % 2;
            List<Service> order = new ArrayList<>(services);
            if (b % 2 == 1) {
                java.util.Collections.reverse(order);
            }
            for (Service svc : order) {
                runBlock(apps, net, svc, serviceArgs, block, reports.get(svc));
            }
            done += block;
            System.err.printf("  %d/%d migrations of each service%n", done, migrations);
        }
    }

    double floor = internalRttMs + flowChangeMs;
    System.out.printf("%nMigration downtime, %d migrations per service, client every 10 ms%s%n", migrations,
            (internalLoss == null ? "" : ", internal links lose " + internalLoss) + ", service options " + serviceArgs);
    StringBuilder header = new StringBuilder(String.format("%-34s", ""));
    for (Service svc : services) {
        header.append(String.format(" | %-26s", svc.name()));
    }
    System.out.println(header);
    StringBuilder sub = new StringBuilder(String.format("%-34s", ""));
    for (Service svc : services) {
        sub.append(String.format(" | %8s %8s %8s", "p50", "p99", "max"));
    }
    System.out.println(sub);
    row("client downtime (ms)", services, reports, r -> r.client().downtime());
    row("service pause (ms)", services, reports, MigrationReport::serviceGap);
    row("largest gap between replies (ms)", services, reports, r -> r.client().largestGap());
    row("phase start (ms)", services, reports, r -> r.phase("start"));
    row("phase handover (ms)", services, reports, r -> r.phase("handover"));
    row("phase redirect (ms)", services, reports, r -> r.phase("redirect"));
    row("phase retire (ms)", services, reports, r -> r.phase("retire"));
    row("whole migration (ms)", services, reports, MigrationReport::total);
    System.out.printf("%nfloor in this run: internal RTT %.2f ms + one flow change %.2f ms = %.2f ms%n",
            internalRttMs, flowChangeMs, floor);
    for (Service svc : services) {
        List<Double> downtime = ms(reports.get(svc), r -> r.client().downtime());
        System.out.printf("%-16s client downtime p50 / floor = %.2f;  p50 %.2f ms (target < 5), p99 %.2f ms "
                + "(target < 20); retries %d%n", svc.name(), percentile(downtime, 50) / floor,
                percentile(downtime, 50), percentile(downtime, 99),
                reports.get(svc).stream().mapToInt(r -> r.client().retries()).sum());
    }
    if (services.size() == 2) {
        System.out.printf("Python / built-in client downtime p50 = %.2f%n",
                percentile(ms(reports.get(python), r -> r.client().downtime()), 50)
                        / percentile(ms(reports.get(builtin), r -> r.client().downtime()), 50));
    }

    Path out = Path.of("bench/results/migration.csv");
    Files.createDirectories(out.getParent());
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
        w.println("service,migration,from,to,client_downtime_ms,service_pause_ms,largest_gap_ms,retries,"
                + "handover_ms,redirect_ms,total_ms");
        for (Service svc : services) {
            List<MigrationReport> rs = reports.get(svc);
            for (int i = 0; i < rs.size(); i++) {
                MigrationReport r = rs.get(i);
                w.printf(Locale.ROOT, "%s,%d,%s,%s,%.3f,%.3f,%.3f,%d,%.3f,%.3f,%.3f%n",
                        svc.key(), i + 1, r.from(), r.to(),
                        millis(r.client().downtime()), millis(r.serviceGap()), millis(r.client().largestGap()),
                        r.client().retries(), millis(r.phase("handover")), millis(r.phase("redirect")),
                        millis(r.total()));
            }
        }
    }
    System.out.println("raw numbers: " + out);
}

/**
 * Deploys the service on h2 and a fresh client on h1, migrates {@code count} times between h2 and h3 and checks
 * that the client's counter went strictly 1, 2, 3, ...; then removes both.
 */
void runBlock(AppManager apps, Emulation net, Service svc, List<String> serviceArgs, int count,
        List<MigrationReport> into) throws InterruptedException {
    svc.deploy().on(apps, net.host("h2"), serviceArgs);
    App client = apps.deployJava("client", net.host("h1"), CounterClient.class,
            List.of("--server", "10.0.0.12:8888", "--interval", "10ms"));
    awaitCounter(client, 50);
    for (int i = 0; i < count; i++) {
        String target = i % 2 == 0 ? "h3" : "h2";
        into.add(Migration.of(apps, "counter").strategy("handover").to(net.host(target))
                .observedBy(client).run());
        awaitCounter(client, counters(client).size() + 5);
    }
    client.stop(Duration.ofSeconds(2));
    List<Long> values = counters(client);
    for (int i = 0; i < values.size(); i++) {
        if (values.get(i) != i + 1) {
            throw new IllegalStateException(svc.name() + ": counter broke at reply " + (i + 1) + ": " + values.get(i));
        }
    }
    System.out.printf("%s: counter strictly 1..%d across %d migrations%n", svc.name(), values.size(), count);
    apps.remove("client");
    apps.remove("counter");
}

double millis(Duration d) {
    return d.toNanos() / 1e6;
}

List<Long> counters(App client) {
    return client.log().lines(LogLine.Stream.STDOUT).stream().map(LogLine::text)
            .filter(t -> t.startsWith("Current counter: ")).map(t -> Long.parseLong(t.substring(17))).toList();
}

void awaitCounter(App client, long value) throws InterruptedException {
    if (client.log().await(l -> l.text().equals("Current counter: " + value), Duration.ofSeconds(30)).isEmpty()) {
        throw new IllegalStateException("client did not reach " + value);
    }
}

List<Double> ms(List<MigrationReport> reports, Function<MigrationReport, Duration> f) {
    return reports.stream().map(r -> f.apply(r).toNanos() / 1e6).toList();
}

double median(List<Double> values) {
    return percentile(values, 50);
}

double percentile(List<Double> values, double p) {
    List<Double> sorted = values.stream().sorted(Comparator.naturalOrder()).toList();
    int i = (int) Math.ceil(p / 100 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
}

void row(String name, List<Service> services, Map<Service, List<MigrationReport>> reports,
        Function<MigrationReport, Duration> f) {
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-34s", name));
    for (Service svc : services) {
        List<Double> values = ms(reports.get(svc), f);
        line.append(String.format(Locale.ROOT, " | %8.2f %8.2f %8.2f", percentile(values, 50), percentile(values, 99),
                percentile(values, 100)));
    }
    System.out.println(line);
}
