// Migration downtime: 100 migrations of the counter service back and forth between h2 and h3 of the reference
// scenario (examples/service-migration.yaml: internal links 1 ms delay) while a client asks every 10 ms.
//
//     sudo bench/run MigrationBench [migrations] [--internal-loss 10%] [--handover-rto-min 5ms]
//
// With --internal-loss, both internal links lose that share of frames in each direction (the state's TCP
// connection then has to recover lost segments). --handover-rto-min is passed to the counter service (0: the
// kernel's minimum retransmission timeout, 200 ms).
//
// Prints the distribution of client-observed downtime (extra wait of a request beyond the usual round trip)
// and of the service pause (no instance counting), next to the floor measured in the same run: one round trip
// on the internal network plus one flow change. Raw numbers go to bench/results/migration.csv.

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
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
import net.mignet.net.Link;
import net.mignet.net.PingResult;
import net.mignet.topo.Topology;
import net.mignet.topo.YamlTopologyLoader;

void main(String[] args) throws Exception {
    int migrations = 100;
    String internalLoss = null;
    List<String> serviceArgs = new ArrayList<>(List.of("--listen", "10.0.0.12:8888"));
    for (int i = 0; i < args.length; i++) {
        if (args[i].equals("--internal-loss") && i + 1 < args.length) {
            internalLoss = args[++i];
        } else if (args[i].equals("--handover-rto-min") && i + 1 < args.length) {
            serviceArgs.addAll(List.of("--handover-rto-min", args[++i]));
        } else {
            migrations = Integer.parseInt(args[i]);
        }
    }
    Topology topo = YamlTopologyLoader.load(Path.of("examples/service-migration.yaml"));
    List<MigrationReport> reports = new ArrayList<>();
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

        apps.deployJava("counter", net.host("h2"), CounterService.class, serviceArgs);
        App client = apps.deployJava("client", net.host("h1"), CounterClient.class,
                List.of("--server", "10.0.0.12:8888", "--interval", "10ms"));
        awaitCounter(client, 50);
        for (int i = 0; i < migrations; i++) {
            String target = i % 2 == 0 ? "h3" : "h2";
            MigrationReport r = Migration.of(apps, "counter").to(net.host(target)).observedBy(client).run();
            reports.add(r);
            if ((i + 1) % 10 == 0) {
                System.err.printf("  %d/%d migrations%n", i + 1, migrations);
            }
            awaitCounter(client, counters(client).size() + 5);
        }
        client.stop(Duration.ofSeconds(2));
        List<Long> values = counters(client);
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) != i + 1) {
                throw new IllegalStateException("counter broke at reply " + (i + 1) + ": " + values.get(i));
            }
        }
        System.out.printf("counter strictly 1..%d across %d migrations%n", values.size(), migrations);
    }

    List<Double> downtime = ms(reports, r -> r.client().downtime());
    List<Double> pause = ms(reports, MigrationReport::serviceGap);
    List<Double> gap = ms(reports, r -> r.client().largestGap());
    List<Double> handover = ms(reports, r -> r.phase("handover"));
    List<Double> redirect = ms(reports, r -> r.phase("redirect"));
    List<Double> total = ms(reports, MigrationReport::total);
    double floor = internalRttMs + flowChangeMs;
    System.out.printf("%nMigration downtime, %d migrations, client every 10 ms%s%n", reports.size(),
            (internalLoss == null ? "" : ", internal links lose " + internalLoss) + ", service " + serviceArgs);
    System.out.printf("%-34s %8s %8s %8s%n", "", "p50", "p99", "max");
    row("client downtime (ms)", downtime);
    row("service pause (ms)", pause);
    row("largest gap between replies (ms)", gap);
    row("phase handover (ms)", handover);
    row("phase redirect (ms)", redirect);
    row("whole migration (ms)", total);
    System.out.printf("%nfloor in this run: internal RTT %.2f ms + one flow change %.2f ms = %.2f ms%n",
            internalRttMs, flowChangeMs, floor);
    System.out.printf("client downtime p50 / floor = %.2f;  p50 %.2f ms (target < 5), p99 %.2f ms (target < 20)%n",
            percentile(downtime, 50) / floor, percentile(downtime, 50), percentile(downtime, 99));
    System.out.printf("retries in all migrations: %d%n", reports.stream().mapToInt(r -> r.client().retries()).sum());

    Path out = Path.of("bench/results/migration.csv");
    Files.createDirectories(out.getParent());
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
        w.println("migration,from,to,client_downtime_ms,service_pause_ms,largest_gap_ms,retries,handover_ms,"
                + "redirect_ms,total_ms");
        for (int i = 0; i < reports.size(); i++) {
            MigrationReport r = reports.get(i);
            w.printf(Locale.ROOT, "%d,%s,%s,%.3f,%.3f,%.3f,%d,%.3f,%.3f,%.3f%n", i + 1, r.from(), r.to(),
                    downtime.get(i), pause.get(i), gap.get(i), r.client().retries(), handover.get(i),
                    redirect.get(i), total.get(i));
        }
    }
    System.out.println("raw numbers: " + out);
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

void row(String name, List<Double> values) {
    System.out.printf(Locale.ROOT, "%-34s %8.2f %8.2f %8.2f%n", name, percentile(values, 50), percentile(values, 99),
            percentile(values, 100));
}
