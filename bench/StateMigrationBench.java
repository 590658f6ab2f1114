// The key-value service's state strategies side by side, in one run on the reference scenario's network
// (examples/service-migration.yaml, its state links set to 0.5 ms each, so that the state travels h2 -> s1 -> h3
// at 1000 Mbit/s with 1 ms one way): per
// state size (1 KB, 1 MB, 64 MB, 256 MB) and strategy (stop-and-copy, pre-copy, post-copy), a few migrations back
// and forth between h2 and h3, the service writing 1 MB/s by itself (--write-rate 1MB) while mignet's kv-client on
// h1 sends 200 requests/s (half gets, half puts).
//
//     sudo bench/run StateMigrationBench [migrations per cell, default 5] [--sizes 1KB,1MB,64MB,256MB]
//                                        [--only stop-and-copy,pre-copy,post-copy] [--requests DIR]
//
// Prints per cell: client downtime p50/p99 (the longest extra wait of any request during the migration), the
// service's pause p50/p99 (old instance frozen until the successor can serve, from the instances' events), the
// time the state took (first byte of the snapshot or the freeze until the destination has all of it), the whole
// migration (successor start to old instance retired), and the floor measured in the same run: state bytes at the
// state link's rate plus one round trip of the state path (ping), and how many late requests the old instance
// forwarded. The round trip of the floor is measured twice: once on the idle network before the first cell (printed
// for reference), and right before every migration (10 pings), under the same load as the migration itself; a
// cell's floor takes the median of its own pings, so that a floor and the transfer it is compared with see the same
// machine. The floor counts state bytes as the old instance writes them (the TCP payload). Two things of the
// emulated link are not in it, printed beside it as "on the wire", for reference only (the ratio stays against the
// floor as the issue defines it): each full segment of 1448 payload bytes is a 1514-byte Ethernet frame, and the
// rate limit (tbf) counts the frame, so the state takes 4.6 % longer; and tbf's bucket holds 1 ms of traffic
// (125 KB at 1000 Mbit/s), full after the link was idle, so the first 125 KB pass at once. At 1 MB the two nearly
// cancel; at 64 MB the headers win. Targets (issue 10): stop-and-copy's state time within 1.3 x the floor; pre-copy downtime for 256 MB
// under 20 ms; post-copy downtime under 5 ms. A second table splits the time from the freeze to the
// acknowledgement by the instances' own clocks: the old instance's work, the way there, the successor's work, the
// way back (the two ways are the link plus waking the process that reads; at 1 KB they are what is left above the
// floor). Raw numbers go to bench/results/state-migration.csv. With --requests DIR, the client's record of every
// request (requests-SIZE-STRATEGY.csv) and each migration's times (migrations-SIZE-STRATEGY.csv: start, freeze,
// successor ready, acknowledgement, end, in nanoseconds since the epoch) go to DIR, to tell stalls the migrations
// caused from the machine's.

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.mignet.app.App;
import net.mignet.app.AppEvents;
import net.mignet.app.AppManager;
import net.mignet.app.LogLine;
import net.mignet.apps.KvClient;
import net.mignet.apps.KvService;
import net.mignet.apps.KvSize;
import net.mignet.migrate.Migration;
import net.mignet.migrate.MigrationReport;
import net.mignet.migrate.Phase;
import net.mignet.net.Emulation;
import net.mignet.net.PingResult;
import net.mignet.topo.YamlTopologyLoader;

static final double LINK_BITS_PER_SECOND = 1e9;
/** A full segment's payload (MSS 1460 less 12 bytes of TCP timestamps) and its Ethernet frame as tbf counts it. */
static final double WIRE_BYTES_PER_PAYLOAD_BYTE = 1514.0 / 1448;
/** The bytes tbf lets through at once after idle: its burst, 1 ms at the rate (see TrafficShaping.tbfWords). */
static final long BUCKET_BYTES = 125_000;
static final List<String> STATE_PHASES = List.of("snapshot", "rounds", "freeze", "transfer");

record Cell(String size, String strategy) {
}

/**
 * Where the time from the freeze to the acknowledgement went, from the instances' own clocks (milliseconds): the old
 * instance taking and writing the content, the content's way to the successor (the link, and the successor being
 * woken), the successor reading and installing it, then checking and acknowledging it, and the acknowledgement's way
 * back; and how urgent the two threads were (see the key-value service's UrgentThread).
 */
record Breakdown(long frozenNanos, long readyNanos, long ackedNanos, double oldWork, double there, double reading,
        double successorWork, double back, String urgency) {
}

void main(String[] args) throws Exception {
    int migrations = 5;
    List<String> sizes = List.of("1KB", "1MB", "64MB", "256MB");
    List<String> strategies = List.of("stop-and-copy", "pre-copy", "post-copy");
    Path requestsDir = null;
    for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
            case "--sizes" -> sizes = List.of(args[++i].split(","));
            case "--only" -> strategies = List.of(args[++i].split(","));
            case "--requests" -> requestsDir = Path.of(args[++i]);
            default -> migrations = Integer.parseInt(args[i]);
        }
    }
    Map<Cell, List<MigrationReport>> reports = new LinkedHashMap<>();
    Map<Cell, List<Breakdown>> breakdowns = new LinkedHashMap<>();
    Map<Cell, List<Double>> cellRtts = new LinkedHashMap<>();
    double rttMs;
    String home = "h2";
    try (Emulation net = Emulation.start(YamlTopologyLoader.load(Path.of("examples/service-migration.yaml")));
            AppManager apps = new AppManager(net)) {
        // One state link of 1 ms between the two hosts: the scenario's path h2 -> s1 -> h3 has two links, each 0.5 ms.
        net.links().stream().filter(l -> l.a().interfaceName().endsWith("-int"))
                .forEach(l -> l.set(l.params().withDelay(Duration.ofNanos(500_000))));
        PingResult ping = net.host("h2").ping("192.168.0.13", 20, Duration.ofMillis(20));
        rttMs = percentile(ping.rttMillis(), 50);
        System.out.printf(Locale.ROOT, "state path round trip on the idle network (ping h2 -> h3, median of 20):"
                + " %.2f ms%n", rttMs);
        for (String size : sizes) {
            long bytes = KvSize.parse(size);
            long keys = Math.max(1, Math.min(65_536, bytes / 1024));
            for (String strategy : strategies) {
                Cell cell = new Cell(size, strategy);
                List<MigrationReport> list = new ArrayList<>();
                reports.put(cell, list);
                List<Breakdown> parts = new ArrayList<>();
                breakdowns.put(cell, parts);
                List<Double> rtts = new ArrayList<>();
                cellRtts.put(cell, rtts);
                App service = apps.deployJava("kv", net.host(home), KvService.class, List.of("--listen",
                        "10.0.0.12:8888", "--size", size, "--keys", Long.toString(keys), "--write-rate", "1MB"));
                awaitEvent(service, "event=serving", Duration.ofSeconds(60));
                App client = apps.deployJava("kv-client", net.host("h1"), KvClient.class, List.of("--server",
                        "10.0.0.12:8888", "--rate", "200", "--mix", "get=50,put=50", "--keys", Long.toString(keys),
                        "--value-size", "64", "--record", requestsDir == null ? "/dev/null"
                                : requestsDir.resolve("requests-" + size + "-" + strategy + ".csv").toString()));
                PrintWriter windows = requestsDir == null ? null : new PrintWriter(Files.newBufferedWriter(
                        requestsDir.resolve("migrations-" + size + "-" + strategy + ".csv")));
                if (windows != null) {
                    windows.println("migration,began_ns,frozen_ns,ready_ns,acked_ns,ended_ns");
                }
                awaitReplies(client, 100);
                for (int i = 0; i < migrations; i++) {
                    String target = home.equals("h2") ? "h3" : "h2";
                    // The floor's round trip, from the old host to the new one, as the machine is just now.
                    rtts.addAll(net.host(home).ping(home.equals("h2") ? "192.168.0.13" : "192.168.0.12", 10,
                            Duration.ofMillis(10)).rttMillis());
                    App old = apps.get("kv");
                    Instant began = Instant.now();
                    MigrationReport r = Migration.of(apps, "kv").to(net.host(target)).strategy(strategy)
                            .observedBy(client).run();
                    home = target;
                    list.add(r);
                    Breakdown b = breakdown(old, apps.get("kv"), began);
                    parts.add(b);
                    if (windows != null) {
                        windows.printf("%d,%d,%d,%d,%d,%d%n", i + 1, AppEvents.epochNanos(began), b.frozenNanos(),
                                b.readyNanos(), b.ackedNanos(), AppEvents.epochNanos(Instant.now()));
                    }
                    System.err.println("  " + size + " " + strategy + " " + (i + 1) + ": " + r.summary());
                    System.err.printf(Locale.ROOT, "    from the freeze to the acknowledgement: old %.2f, there %.2f,"
                            + " reading %.2f, successor %.2f, back %.2f ms (threads old/successor: %s)%n", b.oldWork(),
                            b.there(), b.reading(), b.successorWork(), b.back(), b.urgency());
                    awaitReplies(client, replies(client) + 50);
                }
                client.stop(Duration.ofSeconds(2));
                if (windows != null) {
                    windows.close();
                }
                apps.remove("kv-client");
                apps.remove("kv");
            }
        }
    }
    System.out.printf("%n%-6s %-14s | %-21s | %-21s | %-28s | %-20s | %-11s | %-19s | %s%n", "state", "strategy",
            "client downtime p50/p99", "service paused p50/p99", "state moved p50 (x floor)", "floor (round trip)",
            "on the wire", "whole migration p50", "forwarded p50");
    for (Map.Entry<Cell, List<MigrationReport>> e : reports.entrySet()) {
        List<MigrationReport> rs = e.getValue();
        List<Double> down = rs.stream().map(r -> r.client() == null ? Double.NaN
                : r.client().downtime().toNanos() / 1e6).toList();
        List<Double> paused = rs.stream().map(r -> r.serviceGap() == null ? Double.NaN
                : r.serviceGap().toNanos() / 1e6).toList();
        List<Double> moved = rs.stream().map(this::stateMillis).toList();
        List<Double> total = rs.stream().map(r -> r.total().toNanos() / 1e6).toList();
        List<Double> forwarded = rs.stream().map(r -> (double) r.requestsForwarded()).toList();
        double cellRtt = percentile(cellRtts.get(e.getKey()), 50);
        double floor = floorMillis(rs.getFirst().stateBytes(), cellRtt);
        System.out.printf(Locale.ROOT, "%-6s %-14s | %7.1f %7.1f ms      | %7.1f %7.1f ms      | %8.1f ms (%5.2f x)"
                + "        | %6.1f ms (%4.2f ms) | %6.1f ms   | %8.1f ms         | %5.0f%n", e.getKey().size(),
                e.getKey().strategy(),
                percentile(down, 50), percentile(down, 99), percentile(paused, 50), percentile(paused, 99),
                percentile(moved, 50), percentile(moved, 50) / floor, floor, cellRtt,
                floorMillis(Math.max(0, (long) (rs.getFirst().stateBytes() * WIRE_BYTES_PER_PAYLOAD_BYTE)
                        - BUCKET_BYTES), cellRtt),
                percentile(total, 50), percentile(forwarded, 50));
    }
    System.out.printf("%nFrom the freeze to the acknowledgement, p50 (ms): old instance takes and writes the content"
            + " | to the successor (link and wake-up) | successor reads and installs the content | successor checks and"
            + " acknowledges | acknowledgement back (link and wake-up)%n");
    for (Map.Entry<Cell, List<Breakdown>> e : breakdowns.entrySet()) {
        List<Breakdown> b = e.getValue();
        System.out.printf(Locale.ROOT, "%-6s %-14s | %8.2f | %8.2f | %8.2f | %8.2f | %8.2f%n", e.getKey().size(),
                e.getKey().strategy(), percentile(b.stream().map(Breakdown::oldWork).toList(), 50),
                percentile(b.stream().map(Breakdown::there).toList(), 50),
                percentile(b.stream().map(Breakdown::reading).toList(), 50),
                percentile(b.stream().map(Breakdown::successorWork).toList(), 50),
                percentile(b.stream().map(Breakdown::back).toList(), 50));
    }
    Path out = Path.of("bench/results/state-migration.csv");
    Files.createDirectories(out.getParent());
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
        w.println("size,strategy,from,to,state_bytes,state_network_bytes,downtime_ms,paused_ms,state_ms,floor_ms,"
                + "total_ms,requests_forwarded,rtt_ms,phases");
        for (Map.Entry<Cell, List<MigrationReport>> e : reports.entrySet()) {
            for (MigrationReport r : e.getValue()) {
                double cellRtt = percentile(cellRtts.get(e.getKey()), 50);
                w.printf(Locale.ROOT, "%s,%s,%s,%s,%d,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%d,%.3f,%s%n", e.getKey().size(),
                        e.getKey().strategy(), r.from(), r.to(), r.stateBytes(), r.stateNetworkBytes(),
                        r.client() == null ? Double.NaN : r.client().downtime().toNanos() / 1e6,
                        r.serviceGap() == null ? Double.NaN : r.serviceGap().toNanos() / 1e6, stateMillis(r),
                        floorMillis(r.stateBytes(), cellRtt), r.total().toNanos() / 1e6, r.requestsForwarded(), cellRtt,
                        String.join(" ", r.phases().stream().map(p -> p.name() + "="
                                + String.format(Locale.ROOT, "%.2f", p.length().toNanos() / 1e6)).toList()));
            }
        }
    }
    System.out.println("raw numbers: " + out);
}

Breakdown breakdown(App old, App successor, Instant since) {
    AppEvents.Event handed = event(old, "handed-over", since);
    AppEvents.Event received = event(successor, "state-received", since);
    long frozen = handed.longField("frozen");
    long sent = handed.longField("sent");
    long read = received.longField("final");
    // The successor's first read of the transfer (its begin frame), or the final frame's when the transfer began
    // before the freeze (pre-copy): up to it the link and the successor's waking, after it reading the content.
    long begun = received.fields().containsKey("begun") ? Math.max(sent, received.longField("begun")) : read;
    long ready = received.longField("at");
    long acked = handed.longField("at");
    return new Breakdown(frozen, ready, acked, (sent - frozen) / 1e6, (begun - sent) / 1e6, (read - begun) / 1e6,
            (ready - read) / 1e6, (acked - ready) / 1e6,
            handed.fields().getOrDefault("urgency", "-") + "/" + received.fields().getOrDefault("urgency", "-"));
}

AppEvents.Event event(App app, String name, Instant since) {
    for (LogLine l : app.log().lines(LogLine.Stream.STDERR)) {
        AppEvents.Event e = l.time().isBefore(since) ? null : AppEvents.parse(l.text());
        if (e != null && e.name().equals(name)) {
            return e;
        }
    }
    throw new IllegalStateException(app.name() + " printed no " + name);
}

/** From the first byte of state moving (snapshot or freeze) until the destination has all of it. */
double stateMillis(MigrationReport r) {
    List<Phase> ps = r.phases().stream().filter(p -> STATE_PHASES.contains(p.name())).toList();
    Duration start = ps.stream().map(Phase::start).min(Comparator.naturalOrder()).orElseThrow();
    Duration end = ps.stream().map(Phase::end).max(Comparator.naturalOrder()).orElseThrow();
    return end.minus(start).toNanos() / 1e6;
}

double floorMillis(long stateBytes, double rttMs) {
    return stateBytes * 8 / LINK_BITS_PER_SECOND * 1000 + rttMs;
}

void awaitEvent(App app, String text, Duration timeout) throws InterruptedException {
    if (app.log().await(l -> l.text().contains(text), timeout).isEmpty()) {
        throw new IllegalStateException(app.name() + " did not print '" + text + "': " + app.log().lines());
    }
}

int replies(App client) {
    return (int) client.log().lines().stream().filter(l -> l.text().contains("event=reply ")).count();
}

void awaitReplies(App client, int n) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (replies(client) < n) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("client did not reach " + n + " replies");
        }
        Thread.sleep(20);
    }
}

double percentile(List<Double> values, double p) {
    List<Double> sorted = values.stream().sorted(Comparator.naturalOrder()).toList();
    int i = (int) Math.ceil(p / 100 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
}
