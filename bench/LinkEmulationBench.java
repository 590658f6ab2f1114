import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
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
 * <li>RTT for one-way delays of 0/1/5/20/100 ms on both directions of h1-s1: 100 UDP echo probes h1->h2 taking
 * turns with 100 on the plain path h5->h6, each timed from its send to the kernel's arrival stamp of its reply;
 * added RTT = impaired - plain per percentile, error = added - 2 x delay; the engine's own lateness (send time -
 * due time) per direction, and its CPU meanwhile;</li>
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
 *   bench/run LinkEmulationBench --only rtt --delays 0,20 --probes 300           # some delays, more probes
 * </pre>
 * Raw numbers go to {@code bench/results/link-emulation-<time>.txt}.
 */
public class LinkEmulationBench {
    static int[] delaysMs = {0, 1, 5, 20, 100};
    static int probes = 100;
    static final int LIMIT = 100_000;
    static final String TCP_BUFFERS = "4096 131072 268435456";
    static final Pattern RECEIVER_BPS = Pattern.compile(
            "\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+]+)", Pattern.DOTALL);
    /** The UDP summary of an iperf3 client: packets sent and lost (as the server counted them). */
    static final Pattern UDP_SUM = Pattern.compile(
            "\"sum_received\"\\s*:\\s*\\{[^}]*?\"seconds\"\\s*:\\s*([0-9.eE+]+)[^}]*?\"lost_packets\"\\s*:\\s*(\\d+)[^}]*?"
                    + "\"packets\"\\s*:\\s*(\\d+)", Pattern.DOTALL);
    static final StringBuilder report = new StringBuilder();

    public static void main(String[] args) throws Throwable {
        LinkEngineChoice choice = LinkEngineChoice.AUTO;
        String only = "";
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--link-engine")) {
                choice = LinkEngineChoice.parse(args[i + 1]);
            } else if (args[i].equals("--only")) {
                only = args[i + 1];
            } else if (args[i].equals("--delays")) {
                delaysMs = java.util.Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
            } else if (args[i].equals("--probes")) {
                probes = Integer.parseInt(args[i + 1]);
            }
        }
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

    static void rttTable(Emulation net, Link impaired) throws Throwable {
        print("");
        print("RTT h1->h2 through h1-s1 with the delay on both directions, against the plain path h5->h6: %d UDP"
                + " echo probes each, the two paths taking turns;", probes);
        print("RTT = the kernel's arrival stamp of the reply (SO_TIMESTAMPNS) - the send time, both on the realtime"
                + " clock, so the prober's own wake-up counts in neither path; in ms;");
        print("added = RTT - plain RTT per percentile, error = added - 2 x delay;");
        print("engine late = the engine's own send time - due time per direction (a->b, b->a), in us");
        print("%-10s %9s %9s %9s %9s %9s %9s %9s %9s  %s", "delay", "plain p50", "plain p99", "p50", "p99",
                "added p50", "added p99", "err p50", "err p99", "engine late p50/p99 a->b | b->a");
        UserspaceEngine engine = net.linkEmulator() instanceof UserspaceEngine e ? e : null;
        try (EchoPath plainPath = EchoPath.open(net, "h5", "h6", "10.0.0.6");
                EchoPath linkPath = EchoPath.open(net, "h1", "h2", "10.0.0.2")) {
            for (int d : delaysMs) {
                impaired.set(LinkParams.NONE.withDelay(Duration.ofMillis(d)).withQueueLimit(LIMIT));
                long cpu0 = engine == null ? 0 : engine.cpuTimeNanos();
                long t0 = System.nanoTime();
                double[][] both = EchoPath.takeTurns(plainPath, linkPath, probes);
                double engineShare = engine == null ? 0
                        : (double) (engine.cpuTimeNanos() - cpu0) / (System.nanoTime() - t0);
                double[] plain = both[0];
                double[] r = both[1];
                double addedP50 = pct(r, 50) - pct(plain, 50);
                double addedP99 = pct(r, 99) - pct(plain, 99);
                List<DirectionStats> stats = impaired.engineStats();
                String late = stats.isEmpty() ? "-" : stats.stream().map(s -> String.format(Locale.ROOT,
                        "%.0f/%.0f", s.late().p50Nanos() / 1e3, s.late().p99Nanos() / 1e3))
                        .reduce((a, b) -> a + " | " + b).get();
                print("%-10s %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f  %s%s", d + " ms", pct(plain, 50),
                        pct(plain, 99), pct(r, 50), pct(r, 99), addedP50, addedP99, addedP50 - 2 * d,
                        addedP99 - 2 * d, late, engine == null ? "" : String.format(Locale.ROOT,
                                "  (engine CPU %.1f %% of a core)", 100 * engineShare));
            }
        }
        print("targets (quiet machine): added at 0 ms p50 < 0.040 and p99 < 0.300; error p50 < 0.050 for every delay");
    }

    /**
     * A UDP prober in one host and an echo responder in another. The prober is a plain socket through the FFM API
     * with {@code SO_TIMESTAMPNS}: Java's DatagramChannel cannot read the kernel's arrival stamp, and a thread
     * woken from a sleep of milliseconds on a VM is late by a hundred microseconds or more (its vCPU halted),
     * which would count against slow paths (the prober sleeps 2 x delay) and not against the plain one.
     */
    record EchoPath(int probeFd, MemorySegment target, DatagramChannel echo, Thread responder, Arena arena)
            implements AutoCloseable {
        static final Linker LINKER = Linker.nativeLinker();
        static final MethodHandle SOCKET = fn("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT));
        static final MethodHandle SETSOCKOPT = fn("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle SENDTO = fn("sendto", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS,
                JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle RECVMSG = fn("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS,
                JAVA_INT));
        static final MethodHandle CLOCK_GETTIME = fn("clock_gettime", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
                ADDRESS));
        static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        static final int SOL_SOCKET = 1;
        static final int SO_RCVTIMEO = 20;
        static final int SO_TIMESTAMPNS = 35;

        static MethodHandle fn(String name, FunctionDescriptor d) {
            return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), d);
        }

        static EchoPath open(Emulation net, String client, String server, String serverIp) throws Throwable {
            InetSocketAddress address = new InetSocketAddress(serverIp, 7777);
            DatagramChannel echo = udp(net, server, address);
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
            Arena arena = Arena.ofShared();
            int fd = NamespaceThread.call(net.host(client).namespace(), () -> {
                try {
                    return (int) SOCKET.invokeExact(2, 2, 0); // AF_INET, SOCK_DGRAM
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
            });
            if (fd < 0) {
                throw new IllegalStateException("cannot open the prober's socket in " + client);
            }
            MemorySegment one = arena.allocate(JAVA_INT);
            one.set(JAVA_INT, 0, 1);
            MemorySegment timeout = arena.allocate(16, 8); // struct timeval: 3 s
            timeout.set(JAVA_LONG, 0, 3);
            int a = (int) SETSOCKOPT.invokeExact(fd, SOL_SOCKET, SO_TIMESTAMPNS, one, 4);
            int b = (int) SETSOCKOPT.invokeExact(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 16);
            if (a < 0 || b < 0) {
                throw new IllegalStateException("cannot set up the prober's socket in " + client);
            }
            MemorySegment target = arena.allocate(16, 4); // struct sockaddr_in
            target.set(JAVA_SHORT, 0, (short) 2);
            target.set(JAVA_SHORT, 2, Short.reverseBytes((short) 7777));
            target.asSlice(4, 4).copyFrom(MemorySegment.ofArray(address.getAddress().getAddress()));
            return new EchoPath(fd, target, echo, responder, arena);
        }

        /** Probes the two paths in turn, {@code probes} times each after 3 warm-ups; RTTs in ms, sorted. */
        static double[][] takeTurns(EchoPath first, EchoPath second, int probes) throws Throwable {
            List<Double> a = new ArrayList<>();
            List<Double> b = new ArrayList<>();
            for (int i = -3; i < probes; i++) { // three warm-up probes: ARP, JIT
                double x = first.probe(i);
                Thread.sleep(5);
                double y = second.probe(i);
                Thread.sleep(5);
                if (i >= 0 && !Double.isNaN(x) && !Double.isNaN(y)) {
                    a.add(x);
                    b.add(y);
                }
            }
            return new double[][] {a.stream().mapToDouble(Double::doubleValue).sorted().toArray(),
                    b.stream().mapToDouble(Double::doubleValue).sorted().toArray()};
        }

        /** One probe's RTT in ms, or NaN if its reply did not come. */
        double probe(long tag) throws Throwable {
            try (Arena scratch = Arena.ofConfined()) {
                MemorySegment out = scratch.allocate(16, 8);
                out.set(JAVA_LONG, 0, tag);
                MemorySegment in = scratch.allocate(64, 8);
                MemorySegment iov = scratch.allocate(16, 8);
                iov.set(ADDRESS, 0, in);
                iov.set(JAVA_LONG, 8, 64);
                MemorySegment control = scratch.allocate(64, 8);
                MemorySegment msg = scratch.allocate(56, 8);
                MemorySegment clock = scratch.allocate(16, 8);
                int ignored = (int) CLOCK_GETTIME.invokeExact(0, clock); // CLOCK_REALTIME, as the kernel's stamps
                long sentAt = clock.get(JAVA_LONG, 0) * 1_000_000_000L + clock.get(JAVA_LONG, 8);
                if ((long) SENDTO.invokeExact(probeFd, out, 16L, 0, target, 16) != 16) {
                    return Double.NaN;
                }
                while (true) {
                    msg.fill((byte) 0);
                    msg.set(ADDRESS, 16, iov);
                    msg.set(JAVA_LONG, 24, 1);
                    msg.set(ADDRESS, 32, control);
                    msg.set(JAVA_LONG, 40, 64);
                    long n = (long) RECVMSG.invokeExact(probeFd, msg, 0);
                    if (n < 0) {
                        return Double.NaN; // timed out
                    }
                    if (n < 8 || in.get(JAVA_LONG, 0) != tag) {
                        continue; // a late reply to an earlier probe
                    }
                    long controlLength = msg.get(JAVA_LONG, 40);
                    if (controlLength < 32 || control.get(JAVA_INT, 8) != SOL_SOCKET
                            || control.get(JAVA_INT, 12) != SO_TIMESTAMPNS) {
                        throw new IllegalStateException("the kernel put no arrival stamp on the reply");
                    }
                    long arrived = control.get(JAVA_LONG, 16) * 1_000_000_000L + control.get(JAVA_LONG, 24);
                    return (arrived - sentAt) / 1e6;
                }
            }
        }

        @Override
        public void close() throws Exception {
            try {
                int ignored = (int) CLOSE.invokeExact(probeFd);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            echo.close();
            responder.join(1000);
            arena.close();
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
