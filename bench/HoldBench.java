import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import net.mignet.flow.FlowRuleParser;
import net.mignet.kernel.NamespaceThread;
import net.mignet.linkemu.HoldReport;
import net.mignet.net.Emulation;
import net.mignet.net.FrameHold;
import net.mignet.net.Switch;
import net.mignet.topo.Topology;

/**
 * Frame holds at the switch: what they cost and that traffic not held does not pay. Every number is measured in
 * this one run (the machine is shared and noisy), conditions interleaved round by round:
 * <ol>
 * <li>RTT of a UDP echo between two other hosts of the switch (h4 -> h5, bridged, no rule), without a hold, with
 * an idle hold on s1-h2, and with a stream of about 10 000 frames/s from h1 to h2, not held and held;
 * printed as ratios (idle hold to no hold, held stream to the same stream not held);</li>
 * <li>time to start a hold: the first (makes the veth pair and the loop thread) and later ones;</li>
 * <li>time to release N held frames to the new port (queue sent, rules changed, in-flight frames sent), for N
 * from 0 to 10 000.</li>
 * </ol>
 * <pre>
 *   bench/run HoldBench
 * </pre>
 * Raw numbers go to {@code bench/results/hold-<time>.txt}.
 */
public class HoldBench {
    static final int ROUNDS = 10;
    static final int PROBES = 500;
    static final InetSocketAddress SERVICE = new InetSocketAddress("10.0.0.12", 7000);
    static final InetSocketAddress ECHO = new InetSocketAddress("10.0.0.5", 7007);
    static final StringBuilder report = new StringBuilder();

    public static void main(String[] args) throws Exception {
        Topology t = Topology.builder("holdbench").addHost("h1", "10.0.0.11/24").addHost("h2").addHost("h3")
                .addHost("h4", "10.0.0.4/24").addHost("h5", "10.0.0.5/24").addSwitch("s1")
                .addLink("h1", "s1")
                .addLink("h2", "s1", o -> o.ip1("10.0.0.12/24").mac1("00:00:00:00:00:12"))
                .addLink("h3", "s1", o -> o.ip1("10.0.0.12/24").mac1("00:00:00:00:00:12"))
                .addLink("h4", "s1").addLink("h5", "s1")
                .addFlow("s1", FlowRuleParser.parse("in_port=s1-h1 actions=output:s1-h2"))
                .addFlow("s1", FlowRuleParser.parse("in_port=s1-h2 actions=output:s1-h1"))
                .addFlow("s1", FlowRuleParser.parse("in_port=s1-h3 actions=output:s1-h1"))
                .build();
        try (Emulation net = Emulation.start(t);
                DatagramSocket client = socket(net, "h1", new InetSocketAddress(0));
                DatagramSocket service2 = socket(net, "h2", SERVICE);
                DatagramSocket service3 = socket(net, "h3", SERVICE);
                DatagramSocket echo = socket(net, "h5", ECHO);
                DatagramSocket prober = socket(net, "h4", new InetSocketAddress(0))) {
            Thread echoer = Thread.ofPlatform().daemon().start(() -> echo(echo));
            drain(service2);
            drain(service3);
            Switch s1 = net.switchNamed("s1");
            sendNumbered(client, 1); // ARP for the service address, before any hold
            holdStart(s1);
            rttRatios(s1, client, prober, service2);
            releaseCosts(s1, client, service2, service3);
            echoer.interrupt();
        }
        Path dir = Path.of("bench/results");
        Files.createDirectories(dir);
        Path out = dir.resolve("hold-" + Instant.now().toString().replace(':', '-') + ".txt");
        Files.writeString(out, report.toString());
        System.out.println("raw numbers: " + out);
    }

    // --- traffic not held --------------------------------------------------------------------------------------

    static void rttRatios(Switch s1, DatagramSocket client, DatagramSocket prober, DatagramSocket service2)
            throws Exception {
        List<Double> none = new ArrayList<>();
        List<Double> idle = new ArrayList<>();
        List<Double> streamed = new ArrayList<>();
        List<Double> held = new ArrayList<>();
        long heldFrames = 0;
        echoRtts(prober, 50); // warm-up: ARP, JIT
        for (int r = 0; r < ROUNDS; r++) {
            none.addAll(echoRtts(prober, PROBES));
            try (FrameHold hold = s1.hold("s1-h2")) {
                idle.addAll(echoRtts(prober, PROBES));
                hold.restore();
            }
            drain(service2);
            try (Stream stream = new Stream(client)) {
                streamed.addAll(echoRtts(prober, PROBES));
            }
            drain(service2);
            Stream stream = new Stream(client);
            try (FrameHold hold = s1.hold("s1-h2", 100_000)) {
                held.addAll(echoRtts(prober, PROBES));
                stream.close();
                heldFrames += hold.restore().framesHeld();
            } finally {
                stream.close();
            }
            drain(service2);
        }
        print("");
        print("UDP echo RTT h4 -> h5 through s1 (not held), %d rounds x %d probes per condition, us", ROUNDS, PROBES);
        print("%-52s %9s %9s %9s %10s %10s", "condition", "p50", "p90", "p99", "p50 ratio", "p99 ratio");
        row("no hold", none, none);
        row("hold on s1-h2, idle", idle, none);
        row("stream h1 -> h2 (~10k frames/s), no hold", streamed, none);
        row(String.format(Locale.ROOT, "the same stream held on s1-h2 (%d held)", heldFrames), held, streamed);
        print("(ratios: the idle hold to no hold; the held stream to the same stream not held)");
    }

    static void row(String condition, List<Double> rtts, List<Double> baseline) {
        print("%-52s %9.1f %9.1f %9.1f %10.3f %10.3f", condition, pct(rtts, 50), pct(rtts, 90), pct(rtts, 99),
                pct(rtts, 50) / pct(baseline, 50), pct(rtts, 99) / pct(baseline, 99));
    }

    /** h1 sending 64-byte datagrams to the service, 10 about every millisecond, until closed. */
    static final class Stream implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Stream(DatagramSocket client) {
            thread = Thread.ofPlatform().start(() -> {
                while (running.get()) {
                    sendNumbered(client, 10);
                    LockSupport.parkNanos(1_000_000);
                }
            });
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }

    static List<Double> echoRtts(DatagramSocket prober, int count) {
        List<Double> rtts = new ArrayList<>();
        byte[] out = new byte[64];
        byte[] in = new byte[2048];
        try {
            for (int i = 0; i < count; i++) {
                long t0 = System.nanoTime();
                prober.send(new DatagramPacket(out, out.length, ECHO));
                DatagramPacket p = new DatagramPacket(in, in.length);
                try {
                    prober.receive(p);
                    rtts.add((System.nanoTime() - t0) / 1e3);
                } catch (SocketTimeoutException e) {
                    rtts.add(1e6); // counted as 1 s: a loss must show, not vanish
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rtts;
    }

    static void echo(DatagramSocket echo) {
        byte[] buf = new byte[2048];
        try {
            echo.setSoTimeout(0);
            while (!Thread.currentThread().isInterrupted()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                echo.receive(p);
                echo.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
            }
        } catch (IOException e) {
            // socket closed at the end
        }
    }

    // --- hold and release costs ---------------------------------------------------------------------------------

    static void holdStart(Switch s1) {
        long t0 = System.nanoTime();
        FrameHold first = s1.hold("s1-h2");
        double cold = (System.nanoTime() - t0) / 1e6;
        first.restore();
        List<Double> warm = new ArrayList<>();
        List<Double> restores = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            long a = System.nanoTime();
            FrameHold h = s1.hold("s1-h2");
            long b = System.nanoTime();
            h.restore();
            warm.add((b - a) / 1e6);
            restores.add((System.nanoTime() - b) / 1e6);
        }
        print("");
        print("starting a hold (one atomic flow-table change to the hold device), ms");
        print("  first hold (makes the veth pair, starts the loop thread): %8.3f", cold);
        print("  later holds, 50: p50 %.3f  p90 %.3f  max %.3f", pct(warm, 50), pct(warm, 90), pct(warm, 100));
        print("  restore of an empty hold, 50: p50 %.3f  p90 %.3f  max %.3f", pct(restores, 50), pct(restores, 90),
                pct(restores, 100));
    }

    static void releaseCosts(Switch s1, DatagramSocket client, DatagramSocket service2, DatagramSocket service3)
            throws Exception {
        print("");
        print("release of N held 64-byte datagrams to the new port (queue sent, rules changed, in-flight sent), "
                + "5 runs each, ms");
        print("%8s %10s %10s %10s %22s %12s", "N", "p50", "min", "max", "us per frame above N=0", "received");
        String from = "s1-h2";
        double empty = 0;
        for (int n : new int[] {0, 1, 100, 1000, 10_000}) {
            List<Double> times = new ArrayList<>();
            long received = 0;
            for (int run = 0; run < 5; run++) {
                String to = from.equals("s1-h2") ? "s1-h3" : "s1-h2";
                FrameHold hold = s1.hold(from);
                sendNumbered(client, n);
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (hold.held() < n && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                HoldReport r = hold.release(to);
                times.add(r.releaseTime().toNanos() / 1e6);
                received += drain(to.equals("s1-h3") ? service3 : service2);
                from = to;
            }
            double p50 = pct(times, 50);
            if (n == 0) {
                empty = p50;
            }
            print("%8d %10.3f %10.3f %10.3f %22s %12s", n, p50, pct(times, 0), pct(times, 100),
                    n < 100 ? "-" : String.format(Locale.ROOT, "%.2f", (p50 - empty) * 1e3 / n),
                    received + "/" + 5L * n);
        }
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    static DatagramSocket socket(Emulation net, String host, InetSocketAddress bind) {
        return NamespaceThread.call(net.host(host).namespace(), () -> {
            try {
                DatagramSocket s = new DatagramSocket(bind);
                s.setReceiveBufferSize(16 << 20);
                s.setSendBufferSize(16 << 20);
                s.setSoTimeout(1000);
                return s;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static void sendNumbered(DatagramSocket client, int count) {
        byte[] out = new byte[64];
        try {
            for (int i = 0; i < count; i++) {
                client.send(new DatagramPacket(out, out.length, SERVICE));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads what is waiting, until 100 ms pass without a datagram; returns how many. */
    static long drain(DatagramSocket s) throws IOException {
        byte[] buf = new byte[2048];
        long n = 0;
        s.setSoTimeout(100);
        try {
            while (true) {
                s.receive(new DatagramPacket(buf, buf.length));
                n++;
            }
        } catch (SocketTimeoutException e) {
            return n;
        } finally {
            s.setSoTimeout(1000);
        }
    }

    static double pct(List<Double> values, double p) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        int i = (int) Math.min(v.length - 1, Math.max(0, Math.ceil(p / 100 * v.length) - 1));
        return v[i];
    }

    static void print(String format, Object... args) {
        String line = String.format(Locale.ROOT, format, args);
        System.out.println(line);
        report.append(line).append('\n');
    }
}
