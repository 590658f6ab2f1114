import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.mignet.kernel.CommandResult;
import net.mignet.kernel.NamespaceThread;
import net.mignet.linkemu.DirectionStats;
import net.mignet.linkemu.LinkEngineChoice;
import net.mignet.linkemu.UserspaceEngine;
import net.mignet.net.Emulation;
import net.mignet.net.EmulationOptions;
import net.mignet.net.Host;
import net.mignet.net.Link;
import net.mignet.topo.LinkParams;
import net.mignet.topo.Topology;

/**
 * Link emulation speed, accuracy and cost, each figure next to the plain veth path measured in the same run (the
 * machine is shared and noisy; how busy it was is printed too). Six hosts on s1: h1-s1 and h3-s1 are the
 * impaired links (two links, so with one thread per core they run on two engine threads), the rest plain; the
 * plain reference path is h5-s1-h6.
 * <ol>
 * <li>RTT for one-way delays of 0/1/5/20/100 ms on both directions of h1-s1: 100 UDP echo probes h1->h2, timed
 * in this process with nanoTime; added RTT = impaired - plain (h5->h6) per percentile, error = added - 2 x delay;
 * and the engine's own lateness (send time - due time) per direction;</li>
 * <li>TCP throughput (iperf3, 5 s after a 1 s warm-up, 1 stream) through h1-s1 with 5 ms each way, as a ratio of
 * the plain path;</li>
 * <li>frames per second of 64-byte UDP (iperf3 -u -b 0, counted by the receiver) through h1-s1 with 1 ms, one
 * engine thread, vs. the plain path; and two floods at once through h1-s1 and h3-s1 (two threads) vs. two plain
 * floods at once;</li>
 * <li>CPU the engine uses when its links are idle.</li>
 * </ol>
 * What would cap the figures instead of the engine is raised: TCP buffers (tcp_rmem/tcp_wmem) in every host and
 * the impaired links' limit (100 000 frames: more than 1 Mpps x 1 ms or 10 Gbit/s x 10 ms of TSO frames).
 * <pre>
 *   bench/run LinkEmulationBench                      # auto: netem where the kernel has it, else userspace
 *   bench/run LinkEmulationBench --link-engine userspace
 *   bench/run LinkEmulationBench --link-engine userspace --only rtt|tcp|fps    # one part
 *   bench/run LinkEmulationBench --link-engine userspace --poll-prober         # RTT prober polls (quiet machine)
 * </pre>
 * Raw numbers go to {@code bench/results/link-emulation-<time>.txt}.
 */
public class LinkEmulationBench {
    static final int[] DELAYS_MS = {0, 1, 5, 20, 100};
    static final int PROBES = 100;
    static final int LIMIT = 100_000;
    static final long PROBER_SPIN_NANOS = 500_000;
    /** Whether the prober polls for replies (--poll-prober): truer on a quiet machine, worse on a busy one. */
    static boolean pollProber;
    static final String TCP_BUFFERS = "4096 131072 268435456";
    static final Pattern RECEIVER_BPS = Pattern.compile(
            "\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+]+)", Pattern.DOTALL);
    /** The UDP summary of an iperf3 client: packets sent and lost (as the server counted them). */
    static final Pattern UDP_SUM = Pattern.compile(
            "\"sum_received\"\\s*:\\s*\\{[^}]*?\"seconds\"\\s*:\\s*([0-9.eE+]+)[^}]*?\"lost_packets\"\\s*:\\s*(\\d+)[^}]*?"
                    + "\"packets\"\\s*:\\s*(\\d+)", Pattern.DOTALL);
    static final StringBuilder report = new StringBuilder();

    public static void main(String[] args) throws Exception {
        LinkEngineChoice choice = LinkEngineChoice.AUTO;
        String only = "";
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--link-engine")) {
                choice = LinkEngineChoice.parse(args[i + 1]);
            } else if (args[i].equals("--only")) {
                only = args[i + 1];
            }
        }
        pollProber = List.of(args).contains("--poll-prober");
        LinkParams oneMs = LinkParams.NONE.withDelay(Duration.ofMillis(1)).withQueueLimit(LIMIT);
        Topology t = Topology.builder("lebench")
                .addHost("h1", "10.0.0.1/24").addHost("h2", "10.0.0.2/24").addHost("h3", "10.0.0.3/24")
                .addHost("h4", "10.0.0.4/24").addHost("h5", "10.0.0.5/24").addHost("h6", "10.0.0.6/24")
                .addSwitch("s1")
                .addLink("h1", "s1", o -> o.params(oneMs)).addLink("h2", "s1").addLink("h3", "s1", o -> o.params(oneMs))
                .addLink("h4", "s1").addLink("h5", "s1").addLink("h6", "s1")
                .build();
        MachineLoad load = MachineLoad.now();
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        try (Emulation net = Emulation.start(t, EmulationOptions.DEFAULT.withLinkEngine(choice))) {
            for (Host h : net.hosts()) {
                h.exec("sysctl", "-q", "-w", "net.ipv4.tcp_rmem=" + TCP_BUFFERS, "net.ipv4.tcp_wmem=" + TCP_BUFFERS)
                        .orThrow();
            }
            Link impaired = net.linksBetween("h1", "s1").getFirst();
            Link second = net.linksBetween("h3", "s1").getFirst();
            print("link engine: %s%s", net.linkEmulator().name(), net.linkEmulator() instanceof UserspaceEngine e
                    ? " (" + e.threadCount() + " threads, " + e.settings() + ")" : "");
            if (only.isEmpty() || only.equals("rtt")) {
                rttTable(net, impaired);
            }
            if (only.isEmpty() || only.equals("tcp")) {
                throughput(net, impaired);
            }
            if (only.isEmpty() || only.equals("fps")) {
                framesPerSecond(net, impaired, second);
            }
            if (!only.isEmpty()) {
                // one part only, while working on it
            } else if (net.linkEmulator() instanceof UserspaceEngine engine) {
                idleCpu(engine);
            } else {
                print("idle CPU: only for the userspace engine (netem runs in the kernel)");
            }
            if (System.nanoTime() > deadline) {
                print("(took longer than the 4 min budget)");
            }
        }
        print("");
        print("machine: %s", load.since());
        Path dir = Path.of("bench/results");
        Files.createDirectories(dir);
        Path out = dir.resolve("link-emulation-" + Instant.now().toString().replace(':', '-') + ".txt");
        Files.writeString(out, report.toString());
        System.out.println("raw numbers: " + out);
    }

    static void print(String format, Object... args) {
        String line = String.format(Locale.ROOT, format, args);
        System.out.println(line);
        report.append(line).append('\n');
    }

    // --- RTT ---------------------------------------------------------------------------------------------------

    static void rttTable(Emulation net, Link impaired) throws Exception {
        print("");
        print("RTT h1->h2 through h1-s1 with the delay on both directions, %d UDP echo probes each, in ms (%s);",
                PROBES, pollProber ? "the prober polls from 0.5 ms before the reply is due" : "blocking prober");
        print("added = RTT - plain path's RTT (h5->h6, measured right before), error = added - 2 x delay;");
        print("engine late = the engine's own send time - due time per direction (a->b, b->a), in us");
        print("%-10s %9s %9s %9s %9s %9s %9s %9s %9s  %s", "delay", "plain p50", "plain p99", "p50", "p99",
                "added p50", "added p99", "err p50", "err p99", "engine late p50/p99 a->b | b->a");
        for (int d : DELAYS_MS) {
            impaired.set(LinkParams.NONE.withDelay(Duration.ofMillis(d)).withQueueLimit(LIMIT));
            double[] plain = rtts(net, "h5", "h6", "10.0.0.6", 0);
            double[] r = rtts(net, "h1", "h2", "10.0.0.2", 2L * d * 1_000_000);
            double addedP50 = pct(r, 50) - pct(plain, 50);
            double addedP99 = pct(r, 99) - pct(plain, 99);
            List<DirectionStats> stats = impaired.engineStats();
            String late = stats.isEmpty() ? "-" : stats.stream().map(s -> String.format(Locale.ROOT, "%.0f/%.0f",
                    s.late().p50Nanos() / 1e3, s.late().p99Nanos() / 1e3)).reduce((a, b) -> a + " | " + b).get();
            print("%-10s %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f  %s", d + " ms", pct(plain, 50),
                    pct(plain, 99), pct(r, 50), pct(r, 99), addedP50, addedP99, addedP50 - 2 * d, addedP99 - 2 * d,
                    late);
        }
        print("targets (quiet machine): added at 0 ms p50 < 0.040 and p99 < 0.300; error p50 < 0.050 for every delay");
    }

    /**
     * RTTs of UDP echo probes from {@code client} to an echo responder on {@code server}, in ms, sorted. The prober
     * waits for each reply in a blocking receive; with {@link #pollProber} it sleeps until
     * {@link #PROBER_SPIN_NANOS} before the reply is due ({@code expectedNanos} after sending) and polls from
     * there: a thread woken from a sleep of milliseconds on a VM is late by a hundred microseconds or more (its
     * vCPU was halted), which counts against the link and not against the plain path, whose replies come before
     * the prober is deeply asleep. Polling takes a core, though, which a busy 2-core machine does not have.
     */
    static double[] rtts(Emulation net, String client, String server, String serverIp, long expectedNanos)
            throws Exception {
        InetSocketAddress target = new InetSocketAddress(serverIp, 7777);
        try (DatagramChannel echo = udp(net, server, target); DatagramChannel probe = udp(net, client,
                new InetSocketAddress(0))) {
            Thread responder = Thread.ofPlatform().daemon().start(() -> {
                ByteBuffer b = ByteBuffer.allocate(64);
                try {
                    while (true) {
                        b.clear();
                        var from = echo.receive(b);
                        b.flip();
                        echo.send(b, from);
                    }
                } catch (IOException e) {
                    // closed: done
                }
            });
            probe.configureBlocking(!pollProber);
            ByteBuffer out = ByteBuffer.allocate(16);
            ByteBuffer in = ByteBuffer.allocate(64);
            List<Double> rtts = new ArrayList<>();
            for (int i = -3; i < PROBES; i++) { // three warm-up probes: ARP, JIT
                out.clear().putLong(i).flip();
                long t0 = System.nanoTime();
                probe.send(out, target);
                long wake = t0 + expectedNanos - PROBER_SPIN_NANOS;
                while (pollProber && System.nanoTime() < wake) {
                    LockSupport.parkNanos(wake - System.nanoTime());
                }
                in.clear();
                long t1;
                // Blocking: receive returns the reply (a lost one would hang the bench; none is lost here).
                while (probe.receive(in) == null && System.nanoTime() - t0 < 2_000_000_000L + expectedNanos) {
                    Thread.onSpinWait();
                }
                t1 = System.nanoTime();
                if (in.position() == 0 || in.getLong(0) != i) {
                    continue; // lost, or a late reply to an earlier probe
                }
                double ms = (t1 - t0) / 1e6;
                if (i >= 0) {
                    rtts.add(ms);
                }
                Thread.sleep(10);
            }
            echo.close();
            responder.join(1000);
            return rtts.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        }
    }

    static double pct(double[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    static DatagramChannel udp(Emulation net, String host, InetSocketAddress bind) {
        return NamespaceThread.call(net.host(host).namespace(), () -> {
            try {
                DatagramChannel ch = DatagramChannel.open();
                ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
                return ch.bind(bind);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    // --- TCP throughput ----------------------------------------------------------------------------------------

    static void throughput(Emulation net, Link impaired) throws Exception {
        print("");
        impaired.set(LinkParams.NONE.withDelay(Duration.ofMillis(5)).withQueueLimit(LIMIT));
        double plain = iperfTcp(net.host("h6"), net.host("h5"), "10.0.0.6");
        UserspaceEngine engine = net.linkEmulator() instanceof UserspaceEngine e ? e : null;
        long cpu0 = engine == null ? 0 : engine.cpuTimeNanos();
        long t0 = System.nanoTime();
        double delayed = iperfTcp(net.host("h2"), net.host("h1"), "10.0.0.2");
        double engineShare = engine == null ? 0 : (double) (engine.cpuTimeNanos() - cpu0) / (System.nanoTime() - t0);
        print("TCP (iperf3, 1 stream, 5 s after 1 s warm-up; tcp_rmem/wmem max 256 MiB in every host):");
        print("  plain veth path h5->h6:               %8.2f Gbit/s", plain / 1e9);
        print("  h1->h2 through h1-s1, 5 ms each way:  %8.2f Gbit/s  (%s)", delayed / 1e9, impaired.backend());
        print("  ratio:                                %8.3f   (target >= 0.5)", delayed / plain);
        if (engine != null) {
            print("  engine CPU meanwhile: %.0f %% of a core; %s", 100 * engineShare, impaired.engineStats());
        }
    }

    static double iperfTcp(Host server, Host client, String ip) throws Exception {
        String out = iperf(server, client, ip, 6, "-O", "1");
        Matcher m = RECEIVER_BPS.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no receiver rate in iperf3's output: " + out);
        }
        return Double.parseDouble(m.group(1));
    }

    /** Runs iperf3 from client to a one-off server; returns the client's JSON. */
    static String iperf(Host server, Host client, String ip, int seconds, String... extra) throws Exception {
        Process srv = server.processBuilder(List.of("iperf3", "-s", "-1", "-p", "5298")).redirectErrorStream(true)
                .start();
        try {
            for (int attempt = 0; ; attempt++) {
                List<String> argv = new ArrayList<>(List.of("iperf3", "-c", ip, "-p", "5298", "-J", "-t",
                        Integer.toString(seconds)));
                argv.addAll(List.of(extra));
                CommandResult r = client.exec(argv, Duration.ofSeconds(seconds + 20L));
                if (r.ok() && r.stdout().contains("\"end\"") && !r.stdout().contains("\"error\"")) {
                    return r.stdout();
                }
                if (attempt == 20) {
                    throw new IllegalStateException("iperf3 failed: " + r.stdout() + r.stderr());
                }
                Thread.sleep(50); // the server is not listening yet
            }
        } finally {
            srv.destroy();
            srv.waitFor();
        }
    }

    // --- frames per second -------------------------------------------------------------------------------------

    /** Received frames per second of a 3 s flood of 64-byte UDP datagrams. */
    static double flood(Host server, Host client, String ip) throws Exception {
        String out = iperf(server, client, ip, 3, "-u", "-b", "0", "-l", "64");
        Matcher m = UDP_SUM.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no UDP summary in iperf3's output: " + out);
        }
        double seconds = Double.parseDouble(m.group(1));
        long lost = Long.parseLong(m.group(2));
        long packets = Long.parseLong(m.group(3));
        return (packets - lost) / seconds;
    }

    static void framesPerSecond(Emulation net, Link impaired, Link second) throws Exception {
        print("");
        LinkParams oneMs = LinkParams.NONE.withDelay(Duration.ofMillis(1)).withQueueLimit(LIMIT);
        impaired.set(oneMs);
        second.set(oneMs);
        UserspaceEngine engine = net.linkEmulator() instanceof UserspaceEngine e ? e : null;
        double plain = flood(net.host("h6"), net.host("h5"), "10.0.0.6");
        long cpu0 = engine == null ? 0 : engine.cpuTimeNanos();
        long sent0 = impaired.engineStats().isEmpty() ? 0 : impaired.engineStats().getFirst().sent();
        double one = flood(net.host("h2"), net.host("h1"), "10.0.0.2");
        long cpu = engine == null ? 0 : engine.cpuTimeNanos() - cpu0;
        List<DirectionStats> s = impaired.engineStats();
        long forwarded = s.isEmpty() ? 0 : s.getFirst().sent() - sent0;
        print("64-byte UDP frames/s (iperf3 -u -b 0 -l 64, 3 s, counted by the receiver), 1 ms delay:");
        print("  plain veth path h5->h6:                %10.0f", plain);
        print("  h1->h2 through h1-s1 (one thread):     %10.0f  ratio %.3f  (target: 1 000 000 or >= 0.8)", one,
                one / plain);
        if (!s.isEmpty()) {
            print("    engine: %s; %.2f us of engine CPU per frame", s.getFirst(), forwarded == 0 ? 0
                    : cpu / 1e3 / forwarded);
        }
        double[] plainTwo = both(() -> flood(net.host("h6"), net.host("h5"), "10.0.0.6"),
                () -> flood(net.host("h2"), net.host("h4"), "10.0.0.2"));
        double[] two = both(() -> flood(net.host("h2"), net.host("h1"), "10.0.0.2"),
                () -> flood(net.host("h4"), net.host("h3"), "10.0.0.4"));
        print("  two floods at once, plain (h5->h6, h4->h2):           %10.0f + %10.0f = %10.0f", plainTwo[0],
                plainTwo[1], plainTwo[0] + plainTwo[1]);
        print("  two floods at once, h1->h2 and h3->h4 (%s threads): %10.0f + %10.0f = %10.0f  ratio %.3f",
                engine == null ? "-" : Integer.toString(engine.threadCount()), two[0], two[1], two[0] + two[1],
                (two[0] + two[1]) / (plainTwo[0] + plainTwo[1]));
    }

    interface Measure {
        double run() throws Exception;
    }

    static double[] both(Measure a, Measure b) throws Exception {
        CompletableFuture<Double> first = CompletableFuture.supplyAsync(() -> {
            try {
                return a.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        double second = b.run();
        return new double[] {first.get(), second};
    }

    // --- idle CPU ----------------------------------------------------------------------------------------------

    static void idleCpu(UserspaceEngine engine) throws Exception {
        print("");
        Thread.sleep(500); // let the last frames drain
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long engine0 = engine.cpuTimeNanos();
        long process0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        Thread.sleep(5000);
        double wall = (System.nanoTime() - t0) / 1e9;
        double engineCpu = (engine.cpuTimeNanos() - engine0) / 1e9;
        double processCpu = (os.getProcessCpuTime() - process0) / 1e9;
        print("idle CPU over %.1f s with %d engine threads serving 2 idle links (target 0):", wall,
                engine.threadCount());
        print("  engine threads: %8.0f us CPU = %.4f %% of one core", engineCpu * 1e6, 100 * engineCpu / wall);
        print("  whole JVM:      %8.0f us CPU = %.4f %% of one core", processCpu * 1e6, 100 * processCpu / wall);
    }

    // --- how busy the machine was ------------------------------------------------------------------------------

    /** CPU time of the whole machine from /proc/stat, to say how busy it was during the run. */
    record MachineLoad(long busy, long total, long t0) {
        static MachineLoad now() throws IOException {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long total = 0;
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            return new MachineLoad(total - idle, total, System.nanoTime());
        }

        String since() throws IOException {
            MachineLoad end = now();
            double busyShare = (double) (end.busy - busy) / (end.total - total);
            String loadavg = Files.readString(Path.of("/proc/loadavg")).trim();
            return String.format(Locale.ROOT, "%d cores %.0f %% busy during the run (all processes, this one"
                    + " included); load average now %s", Runtime.getRuntime().availableProcessors(),
                    100 * busyShare, loadavg);
        }
    }
}
