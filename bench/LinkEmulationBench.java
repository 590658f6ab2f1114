import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * Link emulation accuracy and cost, every number measured in this one run (the machine is shared and noisy):
 * <ol>
 * <li>RTT accuracy for one-way delays of 0/1/5/20/100 ms on both directions of the h1-s1 link: 100 UDP echo
 * probes, timed in this process with nanoTime (ping prints 3 digits, too coarse at 100 ms); the plain h3-s1-h4
 * path is the zero reference;</li>
 * <li>TCP throughput (iperf3, 5 s) through the impaired link (5 ms each way, no rate limit) as a ratio of the
 * plain path;</li>
 * <li>packets per second the engine forwards (iperf3 UDP flood of small datagrams, counted by the engine);</li>
 * <li>CPU the engine uses when its links are idle (engine thread and whole JVM, over 5 s).</li>
 * </ol>
 * <pre>
 *   bench/run LinkEmulationBench                      # auto: netem where the kernel has it, else userspace
 *   bench/run LinkEmulationBench --link-engine userspace
 * </pre>
 * Raw numbers go to {@code bench/results/link-emulation-<time>.txt}.
 */
public class LinkEmulationBench {
    static final int[] DELAYS_MS = {0, 1, 5, 20, 100};
    static final int PROBES = 100;
    static final Pattern RECEIVER_BPS = Pattern.compile(
            "\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+]+)", Pattern.DOTALL);
    static final StringBuilder report = new StringBuilder();

    public static void main(String[] args) throws Exception {
        LinkEngineChoice choice = LinkEngineChoice.AUTO;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--link-engine")) {
                choice = LinkEngineChoice.parse(args[i + 1]);
            }
        }
        Topology t = Topology.builder("lebench")
                .addHost("h1", "10.0.0.1/24").addHost("h2", "10.0.0.2/24")
                .addHost("h3", "10.0.0.3/24").addHost("h4", "10.0.0.4/24").addSwitch("s1")
                .addLink("h1", "s1", o -> o.delay("1ms")).addLink("h2", "s1").addLink("h3", "s1").addLink("h4", "s1")
                .build();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        try (Emulation net = Emulation.start(t, EmulationOptions.DEFAULT.withLinkEngine(choice))) {
            Link impaired = net.links().getFirst();
            print("link engine: %s", net.linkEmulator().name());
            rttTable(net, impaired);
            throughput(net, impaired);
            if (net.linkEmulator() instanceof UserspaceEngine engine) {
                packetsPerSecond(net, impaired);
                idleCpu(engine);
            } else {
                print("packets per second and idle CPU: only for the userspace engine (netem runs in the kernel)");
            }
            if (System.nanoTime() > deadline) {
                print("(took longer than the 3 min budget)");
            }
        }
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
        print("RTT through the h1-s1 link, delay on both directions (%d UDP echo probes each, ms)", PROBES);
        double[] plain = rtts(net, "h3", "h4", "10.0.0.4");
        print("%-24s %10s %10s %10s %12s %14s", "one-way delay", "expect RTT", "p50", "p99", "p50 error", "error one-way");
        print("%-24s %10s %10.3f %10.3f %12s %14s", "plain veth (h3-h4)", "-", pct(plain, 50), pct(plain, 99), "-", "-");
        for (int d : DELAYS_MS) {
            impaired.set(LinkParams.NONE.withDelay(Duration.ofMillis(d)));
            double[] r = rtts(net, "h1", "h2", "10.0.0.2");
            double expected = 2.0 * d;
            double err = pct(r, 50) - expected;
            print("%-24s %10.3f %10.3f %10.3f %12.3f %14.3f", d + " ms (" + impaired.backend() + ")", expected,
                    pct(r, 50), pct(r, 99), err, err / 2);
            for (DirectionStats s : impaired.engineStats()) {
                print("    engine %s", s);
            }
        }
    }

    /** RTTs of UDP echo probes from {@code client} to an echo responder on {@code server}, in ms, sorted. */
    static double[] rtts(Emulation net, String client, String server, String serverIp) throws Exception {
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
            probe.socket().setSoTimeout(2000);
            ByteBuffer out = ByteBuffer.allocate(16);
            ByteBuffer in = ByteBuffer.allocate(64);
            List<Double> rtts = new ArrayList<>();
            for (int i = -3; i < PROBES; i++) { // three warm-up probes: ARP, JIT
                out.clear().putLong(i).flip();
                long t0 = System.nanoTime();
                probe.send(out, target);
                in.clear();
                try {
                    var socket = probe.socket();
                    java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[64], 64);
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                double ms = (System.nanoTime() - t0) / 1e6;
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

    // --- throughput --------------------------------------------------------------------------------------------

    static void throughput(Emulation net, Link impaired) throws Exception {
        print("");
        impaired.set(LinkParams.NONE.withDelay(Duration.ofMillis(5)));
        double plain = iperf(net.host("h4"), net.host("h3"), "10.0.0.4", 5);
        double delayed = iperf(net.host("h2"), net.host("h1"), "10.0.0.2", 5);
        print("TCP throughput (iperf3, 5 s, 1 stream)");
        print("  plain veth path h3->h4:                   %8.2f Gbit/s", plain / 1e9);
        print("  h1->h2 through link with 5 ms each way:   %8.2f Gbit/s  (%s)", delayed / 1e9, impaired.backend());
        print("  ratio impaired / plain:                   %8.3f", delayed / plain);
        print("  target >= 2 Gbit/s through the delayed link: %s", delayed >= 2e9 ? "met" : "NOT met");
    }

    static double iperf(Host server, Host client, String ip, int seconds, String... extra) throws Exception {
        Process srv = server.processBuilder(List.of("iperf3", "-s", "-1", "-p", "5298")).redirectErrorStream(true)
                .start();
        try {
            for (int attempt = 0; ; attempt++) {
                List<String> argv = new ArrayList<>(List.of("iperf3", "-c", ip, "-p", "5298", "-J", "-t",
                        Integer.toString(seconds)));
                argv.addAll(List.of(extra));
                CommandResult r = client.exec(argv, Duration.ofSeconds(seconds + 20L));
                Matcher m = RECEIVER_BPS.matcher(r.stdout());
                if (r.ok() && m.find()) {
                    return Double.parseDouble(m.group(1));
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

    // --- packets per second ------------------------------------------------------------------------------------

    static void packetsPerSecond(Emulation net, Link impaired) throws Exception {
        print("");
        impaired.set(LinkParams.NONE.withDelay(Duration.ofMillis(1)));
        long before = impaired.engineStats().getFirst().sent();
        long t0 = System.nanoTime();
        iperf(net.host("h2"), net.host("h1"), "10.0.0.2", 3, "-u", "-b", "0", "-l", "64");
        double seconds = (System.nanoTime() - t0) / 1e9;
        DirectionStats s = impaired.engineStats().getFirst();
        long forwarded = s.sent() - before;
        print("engine packets per second (iperf3 UDP, 64-byte datagrams, 1 ms delay, h1->h2):");
        print("  forwarded %d frames in %.1f s: %.0f frames/s (engine counters: %s)", forwarded, seconds,
                forwarded / seconds, s);
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
        print("idle CPU over %.1f s with the engine serving the idle link:", wall);
        print("  engine thread: %8.0f us CPU = %.4f %% of one core", engineCpu * 1e6, 100 * engineCpu / wall);
        print("  whole JVM:     %8.0f us CPU = %.4f %% of one core", processCpu * 1e6, 100 * processCpu / wall);
        print("  (for scale: the engine thread used %.2f s CPU in this run so far)", engine.cpuTimeNanos() / 1e9);
    }
}
