import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
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
import net.mignet.kernel.CpuWakeLatency;
import net.mignet.kernel.NamespaceThread;
import net.mignet.kernel.SysctlFloor;
import net.mignet.linkemu.DirectionStats;
import net.mignet.linkemu.LinkEngineChoice;
import net.mignet.linkemu.UserspaceEngine;
import net.mignet.net.Emulation;
import net.mignet.net.EmulationOptions;
import net.mignet.net.Host;
import net.mignet.net.Link;
import net.mignet.topo.LinkParams;
import net.mignet.topo.Topology;
import net.mignet.topo.TopologyBuilder;

/**
 * Link emulation speed, accuracy and cost, each figure next to the plain veth path measured in the same run (the
 * machine is shared and noisy; how busy it was is printed too). Six hosts on s1: h1-s1 and h3-s1 are the
 * impaired links (two links, so with one thread per core they run on two engine threads), the rest plain; the
 * plain reference path is h5-s1-h6.
 * <ol>
 * <li>RTT for one-way delays of 0/1/5/20/100 ms on both directions of h1-s1: UDP echo probes h1->h2 (see {@link
 * #probesAt}) taking turns with as many on the plain path h5->h6, each timed from its send to the kernel's arrival
 * stamp of its reply; added RTT = impaired - plain per percentile, error = added - 2 x delay; the engine's own
 * lateness (send time - due time) per direction, and its CPU meanwhile; and where the round trip's time goes (out,
 * the responder's turn, back), from the responder's arrival stamp and send time carried in each reply. Probe pairs
 * before them warm up until the JIT is quiet (its compiling time beside the probes is printed). Each plain probe waits
 * as much longer before its send as the delay, so both paths' hosts idle as long before the responder
 * wakes;</li>
 * <li>TCP throughput (iperf3, 5 s after a 1 s warm-up, 1 stream) through h1-s1 with 5 ms each way, as a ratio of
 * the plain path;</li>
 * <li>frames per second of 64-byte UDP (iperf3 -u -b 0, counted by the receiver) through h1-s1 with 1 ms, one
 * engine thread, vs. the plain path; and two floods at once through h1-s1 and h3-s1 (two threads) vs. two plain
 * floods at once;</li>
 * <li>CPU the engine uses when its links are idle;</li>
 * <li>the RTT table again with the machine busy: one CPU-bound program per core ({@code sha256sum /dev/zero} at
 * the benchmark's nice value, as a user's simulation or build would be) while the probes run. The plain path
 * shows what the load costs the hosts themselves; the engine's lateness shows whether its releases still leave
 * on time.</li>
 * </ol>
 * What would cap the figures instead of the engine is raised: TCP buffers (tcp_rmem/tcp_wmem) in every host,
 * the floods' receive buffer in a second run (beside the default one, see {@link #FLOOD_BUFFER}), and
 * the impaired links' limit (100 000 frames: more than 1 Mpps x 1 ms or 10 Gbit/s x 10 ms of TSO frames).
 * <pre>
 *   bench/run LinkEmulationBench                      # auto: netem where the kernel has it, else userspace
 *   bench/run LinkEmulationBench --link-engine userspace
 *   bench/run LinkEmulationBench --link-engine userspace --only rtt,tcp    # parts: rtt, tcp, fps, idle, busy
 *   bench/run LinkEmulationBench --only rtt --delays 0,20 --probes 300           # some delays, more probes
 *   bench/run LinkEmulationBench --only rtt --equal-idle false    # plain probes 5 ms apart whatever the delay
 *   bench/run LinkEmulationBench --only rtt --extra-links 198      # 200 impaired links: 198 idle hosts more
 * </pre>
 * Raw numbers go to {@code bench/results/link-emulation-<time>.txt}.
 */
public class LinkEmulationBench {
    static int[] delaysMs = {0, 1, 5, 20, 100};
    /** Probes per delay from {@code --probes}; 0: {@link #probesAt} chooses. */
    static int probes = 0;
    /** Idle hosts on 1 ms links to s1 beside the measured ones, whose links the engine threads serve too. */
    static int extraLinks = 0;
    /** How long each probe waits after the previous one's reply before its send. */
    static final long QUIET_MILLIS = 5;
    /** Warm-up probe pairs end once this many in a row saw the JIT compile nothing... */
    static final int JIT_QUIET_PAIRS = 50;
    /** ...or after this long. */
    static final long WARM_UP_MAX_MILLIS = 10_000;
    /**
     * Each plain probe waits as much longer before its send as the link's probe waits in the link's delay (one
     * way), so the responders' CPUs have idled as long before either wakes: a vCPU halted for 20-100 ms wakes
     * slower than one halted for 5 ms, and that is the machine's cost, which a real link of that delay would see
     * too, not the engine's. Seen at load 2-6 (p50 of the responder's turn, link minus plain): without this +4 to
     * +22 us at 20 and 100 ms; with it -4 to +13 us at 20 ms and +8 to +27 us at 100 ms, so the idle time explains
     * part of the difference, not all of it. {@code --equal-idle false} for the old timing.
     */
    static boolean equalIdle = true;
    static final int LIMIT = 100_000;
    static final String TCP_BUFFERS = "4096 131072 268435456";
    static final Pattern RECEIVER_BPS = Pattern.compile(
            "\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.eE+]+)", Pattern.DOTALL);
    /** The UDP summary of an iperf3 client: packets sent and lost (as the server counted them). */
    static final Pattern UDP_SUM = Pattern.compile(
            "\"sum_received\"\\s*:\\s*\\{[^}]*?\"seconds\"\\s*:\\s*([0-9.eE+]+)[^}]*?"
                    + "\"lost_packets\"\\s*:\\s*(\\d+)[^}]*?\"packets\"\\s*:\\s*(\\d+)", Pattern.DOTALL);
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
            } else if (args[i].equals("--equal-idle")) {
                equalIdle = Boolean.parseBoolean(args[i + 1]);
            } else if (args[i].equals("--probes")) {
                probes = Integer.parseInt(args[i + 1]);
            } else if (args[i].equals("--extra-links")) {
                extraLinks = Integer.parseInt(args[i + 1]);
            }
        }
        LinkParams oneMs = LinkParams.NONE.withDelay(Duration.ofMillis(1)).withQueueLimit(LIMIT);
        TopologyBuilder topology = Topology.builder("lebench")
                .addHost("h1", "10.0.0.1/24").addHost("h2", "10.0.0.2/24").addHost("h3", "10.0.0.3/24")
                .addHost("h4", "10.0.0.4/24").addHost("h5", "10.0.0.5/24").addHost("h6", "10.0.0.6/24")
                .addSwitch("s1")
                .addLink("h1", "s1", o -> o.params(oneMs)).addLink("h2", "s1").addLink("h3", "s1", o -> o.params(oneMs))
                .addLink("h4", "s1").addLink("h5", "s1").addLink("h6", "s1");
        for (int i = 1; i <= extraLinks; i++) {
            topology.addHost("x" + i, "10.1." + (i / 250) + "." + (i % 250 + 1) + "/16");
            topology.addLink("x" + i, "s1", o -> o.params(oneMs));
        }
        Topology t = topology.build();
        MachineLoad load = MachineLoad.now();
        String quietMachine = null;
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        try (Emulation net = Emulation.start(t, EmulationOptions.DEFAULT.withLinkEngine(choice))) {
            for (Host h : net.hosts()) {
                h.exec("sysctl", "-q", "-w", "net.ipv4.tcp_rmem=" + TCP_BUFFERS, "net.ipv4.tcp_wmem=" + TCP_BUFFERS)
                        .orThrow();
            }
            Link impaired = net.linksBetween("h1", "s1").getFirst();
            Link second = net.linksBetween("h3", "s1").getFirst();
            print("link engine: %s%s", net.linkEmulator().name(), net.linkEmulator() instanceof UserspaceEngine e
                    ? " (" + e.threadCount() + " threads, " + e.settings() + ")" : "");
            if (extraLinks > 0) {
                print("%d more hosts x1..x%d, idle, each on a 1 ms link to s1: %d impaired links in all", extraLinks,
                        extraLinks, extraLinks + 2);
            }
            java.util.Set<String> parts = only.isEmpty() ? java.util.Set.of("rtt", "tcp", "fps", "idle", "busy")
                    : java.util.Set.of(only.split(","));
            if (parts.contains("rtt")) {
                rttTable(net, impaired);
            }
            if (parts.contains("tcp")) {
                throughput(net, impaired);
            }
            if (parts.contains("fps")) {
                framesPerSecond(net, impaired, second);
            }
            if (parts.contains("idle")) {
                if (net.linkEmulator() instanceof UserspaceEngine engine) {
                    idleCpu(engine);
                } else {
                    print("idle CPU: only for the userspace engine (netem runs in the kernel)");
                }
            }
            if (parts.contains("busy")) {
                quietMachine = load.since(); // before this part's own load
                try (CpuHogs hogs = CpuHogs.start(Runtime.getRuntime().availableProcessors())) {
                    print("");
                    print("With the machine busy: %s", hogs);
                    rttTable(net, impaired);
                    if (!hogs.allRunning()) {
                        print("(some of them had ended before the probes did: the machine was less busy)");
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                print("(took longer than the 5 min budget)");
            }
        }
        print("");
        print("machine: %s", quietMachine != null ? quietMachine + ", before the busy part" : load.since());
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
        print("RTT h1->h2 through h1-s1 with the delay on both directions, against the plain path h5->h6: UDP echo"
                + " probes (%s), the two paths taking turns;", probes > 0 ? probes + " per delay and path"
                : "1000 per delay and path up to 1 ms, 300 at 5 ms, 100 beyond; --probes N");
        print("RTT = the kernel's arrival stamp of the reply (SO_TIMESTAMPNS) - the send time, both on the realtime"
                + " clock, so the prober's own wake-up counts in neither path; in ms;");
        print("added = RTT - plain RTT per percentile, error = added - 2 x delay;");
        print("engine late = the engine's own send time - due time per direction (a->b, b->a), in us");
        print("%-10s %9s %9s %9s %9s %9s %9s %9s %9s  %s", "delay", "plain p50", "plain p99", "p50", "p99",
                "added p50", "added p99", "err p50", "err p99", "engine late p50/p99 a->b | b->a");
        UserspaceEngine engine = net.linkEmulator() instanceof UserspaceEngine e ? e : null;
        List<String> parts = new ArrayList<>();
        List<String> warmUpNotes = new ArrayList<>();
        try (EchoPath plainPath = EchoPath.open(net, "h5", "h6", "10.0.0.6");
                EchoPath linkPath = EchoPath.open(net, "h1", "h2", "10.0.0.2")) {
            for (RttRow row : rttRows(engine)) {
                int d = row.delayMs();
                if (row.engineForced()) {
                    engine.useKernelPath(false);
                }
                impaired.set(LinkParams.NONE.withDelay(Duration.ofMillis(d)).withQueueLimit(LIMIT));
                long cpu0 = engine == null ? 0 : engine.cpuTimeNanos();
                long t0 = System.nanoTime();
                long[] quiet = {QUIET_MILLIS + (equalIdle ? d : 0), QUIET_MILLIS};
                Turns turns = EchoPath.takeTurns(plainPath, linkPath, probesAt(d), quiet);
                Probes[] both = {turns.plain(), turns.link()};
                warmUpNotes.add(String.format(Locale.ROOT, "%s: %d pairs, JIT %d ms", row.label(), turns.warmUps(),
                        turns.jitMillis()));
                double engineShare = engine == null ? 0
                        : (double) (engine.cpuTimeNanos() - cpu0) / (System.nanoTime() - t0);
                double[] plain = both[0].rtt();
                double[] r = both[1].rtt();
                double addedP50 = pct(r, 50) - pct(plain, 50);
                double addedP99 = pct(r, 99) - pct(plain, 99);
                List<DirectionStats> stats = impaired.engineStats();
                String late = stats.isEmpty() ? "-" : stats.stream().map(s -> s.inKernel() ? "kernel"
                        : String.format(Locale.ROOT, "%.0f/%.0f", s.late().p50Nanos() / 1e3,
                                s.late().p99Nanos() / 1e3)).reduce((a, b) -> a + " | " + b).get();
                if (row.engineForced()) {
                    engine.useKernelPath(true);
                }
                print("%-10s %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f  %s%s", row.label(), pct(plain, 50),
                        pct(plain, 99), pct(r, 50), pct(r, 99), addedP50, addedP99, addedP50 - 2 * d,
                        addedP99 - 2 * d, late, engine == null ? "" : String.format(Locale.ROOT,
                                "  (engine CPU %.1f %% of a core)", 100 * engineShare));
                parts.add(String.format(Locale.ROOT, "%-10s %6.3f %6.3f %6.3f  %6.3f %6.3f %6.3f  %7.3f %7.3f %7.3f",
                        row.label(), pct(both[0].out(), 50), pct(both[0].turn(), 50), pct(both[0].back(), 50),
                        pct(both[1].out(), 50) - d, pct(both[1].turn(), 50), pct(both[1].back(), 50) - d,
                        pct(both[1].out(), 50) - d - pct(both[0].out(), 50),
                        pct(both[1].turn(), 50) - pct(both[0].turn(), 50),
                        pct(both[1].back(), 50) - d - pct(both[0].back(), 50)));
            }
        }
        print("where the round trip's time goes, p50 in ms: out = send to the responder's arrival stamp, turn ="
                + " the responder's wake-up and echo, back = its send to the reply's arrival stamp (link: minus the"
                + " delay); %s", equalIdle ? "each plain probe waited as long as the delay longer before its send,"
                + " so that the hosts' CPUs had been idle as long as before the link's responder woke"
                : "both paths' probes waited " + QUIET_MILLIS + " ms before their send");
        print("%-10s %6s %6s %6s  %6s %6s %6s  %7s %7s %7s", "delay", "plain", "", "", "link", "", "", "link -",
                "plain", "");
        print("%-10s %6s %6s %6s  %6s %6s %6s  %7s %7s %7s", "", "out", "turn", "back", "out", "turn", "back",
                "out", "turn", "back");
        parts.forEach(line -> print("%s", line));
        print("warm-up pairs before each delay's probes (until the JIT compiled nothing for %d pairs, at most %d s),"
                + " and the JIT's compiling time during the probes: %s", JIT_QUIET_PAIRS, WARM_UP_MAX_MILLIS / 1000,
                String.join("; ", warmUpNotes));
        print("targets (quiet machine): added at 0 ms p50 < 0.040 and p99 < 0.300; error p50 < 0.050 for every delay");
        if (rttRows(engine).stream().anyMatch(RttRow::engineForced)) {
            print("0 ms: the link holds nothing, so its frames go through the kernel (loss only would too); 0 ms eng.:"
                    + " the same link forced through an engine thread (UserspaceEngine.useKernelPath(false))");
        }
    }

    /** One row of the RTT table: a delay, and whether a 0 ms link is forced through an engine thread. */
    record RttRow(String label, int delayMs, boolean engineForced) {
    }

    /** A row per delay; at 0 ms, with the kernel path on, a second one through an engine thread. */
    static List<RttRow> rttRows(UserspaceEngine engine) {
        List<RttRow> rows = new ArrayList<>();
        for (int d : delaysMs) {
            rows.add(new RttRow(d + " ms", d, false));
            if (d == 0 && engine != null && engine.settings().kernelPath()) {
                rows.add(new RttRow("0 ms eng.", 0, true));
            }
        }
        return rows;
    }

    /**
     * Probes per path at a delay: as many as {@code --probes} says, else enough for a p99 where probes are quick. A
     * p99 of 100 probes is their second-slowest, which one hiccup of a shared machine decides; 1000 probes through a
     * 0 or 1 ms link take 11-13 s, but through a 100 ms link 210 s.
     */
    static int probesAt(int delayMs) {
        return probes > 0 ? probes : delayMs <= 1 ? 1000 : delayMs <= 5 ? 300 : 100;
    }

    /** One probe: its RTT and the three parts of it, in ms. */
    record Probe(double rtt, double out, double turn, double back) {
    }

    /** Both paths' probes, and the warm-up pairs before them and the JIT's compiling time during them (ms). */
    record Turns(Probes plain, Probes link, int warmUps, long jitMillis) {
    }

    /** Sorted columns of a run of probes. */
    record Probes(double[] rtt, double[] out, double[] turn, double[] back) {
        static Probes of(List<Probe> list) {
            return new Probes(sorted(list, Probe::rtt), sorted(list, Probe::out), sorted(list, Probe::turn),
                    sorted(list, Probe::back));
        }

        static double[] sorted(List<Probe> list, java.util.function.ToDoubleFunction<Probe> column) {
            return list.stream().mapToDouble(column).sorted().toArray();
        }
    }

    /**
     * A UDP prober in one host and an echo responder in another, both plain sockets through the FFM API with
     * {@code SO_TIMESTAMPNS}: Java's DatagramChannel cannot read the kernel's arrival stamp, and a thread woken
     * from a sleep of milliseconds on a VM is late by a hundred microseconds or more (its vCPU halted), which
     * would count against slow paths (the prober sleeps 2 x delay) and not against the plain one. The responder
     * writes the request's arrival stamp and its own send time into the reply, so a round trip splits into the
     * way out (send to arrival stamp at the responder), the turn (the responder's wake-up and reply) and the way
     * back (the responder's send to the arrival stamp of the reply), all on the realtime clock.
     */
    record EchoPath(int probeFd, MemorySegment target, int echoFd, Thread responder, Arena arena,
            java.util.concurrent.atomic.AtomicBoolean open) implements AutoCloseable {
        static final Linker LINKER = Linker.nativeLinker();
        static final MethodHandle SOCKET = fn("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT));
        static final MethodHandle SETSOCKOPT = fn("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle BIND = fn("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
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
        static final int PAYLOAD = 24;
        static final int PORT = 7777;

        static MethodHandle fn(String name, FunctionDescriptor d) {
            return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), d);
        }

        /** A UDP socket in {@code host} with arrival stamps and a receive timeout; bound to {@code bindIp} if given. */
        static int udpSocket(Emulation net, String host, String bindIp, long timeoutMillis, Arena arena) {
            int fd = NamespaceThread.call(net.host(host).namespace(), () -> {
                try {
                    return (int) SOCKET.invokeExact(2, 2, 0); // AF_INET, SOCK_DGRAM
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
            });
            try {
                MemorySegment one = arena.allocate(JAVA_INT);
                one.set(JAVA_INT, 0, 1);
                MemorySegment timeout = arena.allocate(16, 8); // struct timeval
                timeout.set(JAVA_LONG, 0, timeoutMillis / 1000);
                timeout.set(JAVA_LONG, 8, timeoutMillis % 1000 * 1000);
                int a = (int) SETSOCKOPT.invokeExact(fd, SOL_SOCKET, SO_TIMESTAMPNS, one, 4);
                int b = (int) SETSOCKOPT.invokeExact(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 16);
                int c = bindIp == null ? 0 : (int) BIND.invokeExact(fd, sockaddr(bindIp, arena), 16);
                if (fd < 0 || a < 0 || b < 0 || c < 0) {
                    throw new IllegalStateException("cannot set up a UDP socket in " + host);
                }
                return fd;
            } catch (RuntimeException e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        static MemorySegment sockaddr(String ip, Arena arena) throws IOException {
            MemorySegment a = arena.allocate(16, 4); // struct sockaddr_in
            a.set(JAVA_SHORT, 0, (short) 2);
            a.set(JAVA_SHORT, 2, Short.reverseBytes((short) PORT));
            a.asSlice(4, 4).copyFrom(MemorySegment.ofArray(java.net.InetAddress.getByName(ip).getAddress()));
            return a;
        }

        static EchoPath open(Emulation net, String client, String server, String serverIp) throws Throwable {
            Arena arena = Arena.ofShared();
            int echoFd = udpSocket(net, server, serverIp, 200, arena);
            var open = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread responder = Thread.ofPlatform().daemon().start(() -> respond(echoFd, open));
            int fd = udpSocket(net, client, null, 3000, arena);
            return new EchoPath(fd, sockaddr(serverIp, arena), echoFd, responder, arena, open);
        }

        /** The responder: echoes each datagram with its arrival stamp and the time of the echo's send added. */
        static void respond(int fd, java.util.concurrent.atomic.AtomicBoolean open) {
            try (Arena a = Arena.ofConfined()) {
                Datagram in = new Datagram(a);
                MemorySegment clock = a.allocate(16, 8);
                while (open.get()) {
                    long n = in.receive(fd);
                    if (n < PAYLOAD) {
                        continue; // the receive timeout: look at the flag again
                    }
                    in.data.set(JAVA_LONG, 8, in.stamp());
                    in.data.set(JAVA_LONG, 16, realtime(clock));
                    long ignored = (long) SENDTO.invokeExact(fd, in.data, (long) PAYLOAD, 0, in.from, 16);
                }
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        static long realtime(MemorySegment clock) throws Throwable {
            int ignored = (int) CLOCK_GETTIME.invokeExact(0, clock); // CLOCK_REALTIME, as the kernel's stamps
            return clock.get(JAVA_LONG, 0) * 1_000_000_000L + clock.get(JAVA_LONG, 8);
        }

        /** recvmsg's scaffolding for one datagram with its sender and arrival stamp. */
        static final class Datagram {
            final MemorySegment data;
            final MemorySegment from;
            final MemorySegment iov;
            final MemorySegment control;
            final MemorySegment msg;

            Datagram(Arena a) {
                data = a.allocate(64, 8);
                from = a.allocate(16, 8);
                iov = a.allocate(16, 8);
                control = a.allocate(64, 8);
                msg = a.allocate(56, 8);
                iov.set(ADDRESS, 0, data);
                iov.set(JAVA_LONG, 8, 64);
            }

            long receive(int fd) throws Throwable {
                msg.fill((byte) 0);
                msg.set(ADDRESS, 0, from);
                msg.set(JAVA_INT, 8, 16);
                msg.set(ADDRESS, 16, iov);
                msg.set(JAVA_LONG, 24, 1);
                msg.set(ADDRESS, 32, control);
                msg.set(JAVA_LONG, 40, 64);
                return (long) RECVMSG.invokeExact(fd, msg, 0);
            }

            /** The kernel's arrival stamp of the datagram just received, realtime ns. */
            long stamp() {
                if (msg.get(JAVA_LONG, 40) < 32 || control.get(JAVA_INT, 8) != SOL_SOCKET
                        || control.get(JAVA_INT, 12) != SO_TIMESTAMPNS) {
                    throw new IllegalStateException("the kernel put no arrival stamp on a datagram");
                }
                return control.get(JAVA_LONG, 16) * 1_000_000_000L + control.get(JAVA_LONG, 24);
            }
        }

        /**
         * Probes the two paths in turn, {@code probes} times each, after warm-up pairs (at least 3: ARP) until the
         * JIT has compiled nothing for {@link #JIT_QUIET_PAIRS} pairs in a row, or for at most {@link
         * #WARM_UP_MAX_MILLIS}. With 3 warm-ups only, the first delay's link probes 16, 28, 60 and 125 or so came
         * back 1-4 ms late in every run while this JVM compiled the bench's own code beside the engine (and the
         * 0 ms p99 was 1-2.5 ms against 0.2-0.4 ms once it had settled). Each probe is sent {@code quiet[path]} ms
         * after the previous probe's reply: the same for both paths makes the hosts' CPUs idle as long before each
         * path's request (see rttTable).
         */
        static Turns takeTurns(EchoPath first, EchoPath second, int probes, long[] quietMillis) throws Throwable {
            CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
            long warmUpEnd = System.nanoTime() + WARM_UP_MAX_MILLIS * 1_000_000;
            long compiled = jit.getTotalCompilationTime();
            int warmUps = 0;
            for (int quietPairs = 0; warmUps < 3 || (quietPairs < JIT_QUIET_PAIRS
                    && System.nanoTime() < warmUpEnd); warmUps++) {
                Thread.sleep(quietMillis[0]);
                first.probe(-1 - warmUps);
                Thread.sleep(quietMillis[1]);
                second.probe(-1 - warmUps);
                long now = jit.getTotalCompilationTime();
                quietPairs = now == compiled ? quietPairs + 1 : 0;
                compiled = now;
            }
            List<Probe> a = new ArrayList<>();
            List<Probe> b = new ArrayList<>();
            for (int i = 0; i < probes; i++) {
                Thread.sleep(quietMillis[0]);
                Probe x = first.probe(i);
                Thread.sleep(quietMillis[1]);
                Probe y = second.probe(i);
                if (x != null && y != null) {
                    a.add(x);
                    b.add(y);
                }
            }
            return new Turns(Probes.of(a), Probes.of(b), warmUps, jit.getTotalCompilationTime() - compiled);
        }

        /** One probe, or null if its reply did not come. */
        Probe probe(long tag) throws Throwable {
            try (Arena scratch = Arena.ofConfined()) {
                MemorySegment out = scratch.allocate(PAYLOAD, 8);
                out.set(JAVA_LONG, 0, tag);
                Datagram in = new Datagram(scratch);
                MemorySegment clock = scratch.allocate(16, 8);
                long sentAt = realtime(clock);
                if ((long) SENDTO.invokeExact(probeFd, out, (long) PAYLOAD, 0, target, 16) != PAYLOAD) {
                    return null;
                }
                while (true) {
                    long n = in.receive(probeFd);
                    if (n < 0) {
                        return null; // timed out
                    }
                    if (n < PAYLOAD || in.data.get(JAVA_LONG, 0) != tag) {
                        continue; // a late reply to an earlier probe
                    }
                    long arrived = in.stamp();
                    long atResponder = in.data.get(JAVA_LONG, 8);
                    long echoed = in.data.get(JAVA_LONG, 16);
                    return new Probe((arrived - sentAt) / 1e6, (atResponder - sentAt) / 1e6,
                            (echoed - atResponder) / 1e6, (arrived - echoed) / 1e6);
                }
            }
        }

        @Override
        public void close() throws Exception {
            open.set(false);
            responder.join(2000);
            try {
                int ignored = (int) CLOSE.invokeExact(probeFd);
                ignored = (int) CLOSE.invokeExact(echoFd);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            arena.close();
        }
    }

    static double pct(double[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
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

    /**
     * The receive buffer of the floods' second run: the default one (208 KiB) holds a few hundred of these
     * datagrams, and the engine, which forwards in bursts (it catches up in one go after being preempted),
     * overflowed it at the receiver whenever that was preempted too: before the flooded engine yielded after each
     * send, 194 000-275 000 of the 500 000-550 000 frames delivered in 3 s were dropped there, against none with
     * 4 MiB.
     */
    static final long FLOOD_BUFFER_BYTES = 4L << 20;
    /** {@link #FLOOD_BUFFER_BYTES} as iperf3's -w takes it. */
    static final String FLOOD_BUFFER = (FLOOD_BUFFER_BYTES >> 20) + "M";
    static final Path RMEM_MAX = Path.of("/proc/sys/net/core/rmem_max");

    /** Received frames per second of a 3 s flood of 64-byte UDP datagrams; {@code buffer}: iperf3 -w, or null. */
    static double flood(Host server, Host client, String ip, String buffer) throws Exception {
        List<String> options = new ArrayList<>(List.of("-u", "-b", "0", "-l", "64"));
        if (buffer != null) {
            options.addAll(List.of("-w", buffer));
        }
        String out = iperf(server, client, ip, 3, options.toArray(String[]::new));
        Matcher m = UDP_SUM.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no UDP summary in iperf3's output: " + out);
        }
        double seconds = Double.parseDouble(m.group(1));
        long lost = Long.parseLong(m.group(2));
        long packets = Long.parseLong(m.group(3));
        return (packets - lost) / seconds;
    }

    /** A host's UDP InDatagrams and RcvbufErrors, from /proc/net/snmp in its namespace. */
    static long[] udpDrops(Host host) throws Exception {
        String[] lines = host.exec(List.of("cat", "/proc/net/snmp"), Duration.ofSeconds(5)).stdout().split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith("Udp: ") && lines[i + 1].startsWith("Udp: ")) {
                List<String> names = List.of(lines[i].split(" "));
                String[] values = lines[i + 1].split(" ");
                return new long[] {Long.parseLong(values[names.indexOf("InDatagrams")]),
                        Long.parseLong(values[names.indexOf("RcvbufErrors")])};
            }
        }
        throw new IllegalStateException("no Udp line in " + host.name() + "'s /proc/net/snmp");
    }

    static void framesPerSecond(Emulation net, Link impaired, Link second) throws Exception {
        LinkParams oneMs = LinkParams.NONE.withDelay(Duration.ofMillis(1)).withQueueLimit(LIMIT);
        impaired.set(oneMs);
        second.set(oneMs);
        floods(net, impaired, null, "the receiver's default socket buffer");
        if (net.linkEmulator() instanceof UserspaceEngine engine && engine.settings().kernelPath()) {
            lossOnlyFlood(net, impaired);
            impaired.set(oneMs);
        }
        // The machine's limit (not per namespace), so that iperf3 -w may ask for that much; put back after.
        try (SysctlFloor cap = SysctlFloor.atLeast(RMEM_MAX, FLOOD_BUFFER_BYTES)) {
            floods(net, impaired, FLOOD_BUFFER, "a " + FLOOD_BUFFER + "iB receive buffer (iperf3 -w " + FLOOD_BUFFER
                    + " on both ends; net.core.rmem_max " + cap.previous() + " raised to at least "
                    + FLOOD_BUFFER_BYTES + " meanwhile)");
        }
    }

    /**
     * A link with only loss holds nothing, so the kernel path carries it: 64-byte UDP through h1-s1 with 1 % loss
     * against the plain path, with the default buffer. At plain speed the receiver gets 0.99 of the plain rate.
     */
    static void lossOnlyFlood(Emulation net, Link impaired) throws Exception {
        impaired.set(LinkParams.NONE.withLoss(1.0).withQueueLimit(LIMIT));
        long kernel0 = impaired.engineStats().getFirst().kernelFrames();
        double plain = flood(net.host("h6"), net.host("h5"), "10.0.0.6", null);
        double lossy = flood(net.host("h2"), net.host("h1"), "10.0.0.2", null);
        DirectionStats s = impaired.engineStats().getFirst();
        print("  plain veth path h5->h6 again:          %10.0f", plain);
        print("  h1->h2 through h1-s1, 1 %% loss only:  %10.0f  ratio %.3f  (through the kernel: %d frames; 0.99 is"
                + " plain speed)", lossy, lossy / plain, s.kernelFrames() - kernel0);
    }

    static void floods(Emulation net, Link impaired, String buffer, String bufferNote) throws Exception {
        print("");
        UserspaceEngine engine = net.linkEmulator() instanceof UserspaceEngine e ? e : null;
        double plain = flood(net.host("h6"), net.host("h5"), "10.0.0.6", buffer);
        long cpu0 = engine == null ? 0 : engine.cpuTimeNanos();
        long sent0 = impaired.engineStats().isEmpty() ? 0 : impaired.engineStats().getFirst().sent();
        long[] udp0 = udpDrops(net.host("h2"));
        double one = flood(net.host("h2"), net.host("h1"), "10.0.0.2", buffer);
        long[] udp1 = udpDrops(net.host("h2"));
        long cpu = engine == null ? 0 : engine.cpuTimeNanos() - cpu0;
        List<DirectionStats> s = impaired.engineStats();
        long forwarded = s.isEmpty() ? 0 : s.getFirst().sent() - sent0;
        print("64-byte UDP frames/s (iperf3 -u -b 0 -l 64, 3 s, counted by the receiver), 1 ms delay, %s:",
                bufferNote);
        print("  plain veth path h5->h6:                %10.0f", plain);
        print("  h1->h2 through h1-s1 (one thread):     %10.0f  ratio %.3f  (target: 1 000 000 or >= 0.8)", one,
                one / plain);
        print("    h2's UDP: %d datagrams delivered, %d dropped with its receive buffer full", udp1[0] - udp0[0],
                udp1[1] - udp0[1]);
        if (!s.isEmpty()) {
            print("    engine since the start: %s; %.2f us of engine CPU per frame in this flood", s.getFirst(),
                    forwarded == 0 ? 0 : cpu / 1e3 / forwarded);
        }
        double[] plainTwo = both(() -> flood(net.host("h6"), net.host("h5"), "10.0.0.6", buffer),
                () -> flood(net.host("h2"), net.host("h4"), "10.0.0.2", buffer));
        double[] two = both(() -> flood(net.host("h2"), net.host("h1"), "10.0.0.2", buffer),
                () -> flood(net.host("h4"), net.host("h3"), "10.0.0.4", buffer));
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

    /** Waits (at most 10 s) until the engine's CPU latency request has ended, and says how long that took. */
    static void awaitCpusAllowedToHalt() throws InterruptedException {
        try {
            long awaitFrom = System.nanoTime();
            long awaitUntil = awaitFrom + 10_000_000_000L;
            while (CpuWakeLatency.currentLimitMicros() == 0 && System.nanoTime() < awaitUntil) {
                Thread.sleep(10);
            }
            boolean halting = CpuWakeLatency.currentLimitMicros() != 0;
            print("idle CPUs %s %.1f s after the frames drained%s", halting ? "allowed to halt again"
                    : "still kept awake", (System.nanoTime() - awaitFrom) / 1e9,
                    halting ? "" : " (another process may ask for that)");
        } catch (IOException e) {
            print("no CPU latency QoS to wait for (%s): measuring at once", e.getMessage());
        }
    }

    static void idleCpu(UserspaceEngine engine) throws Exception {
        print("");
        Thread.sleep(500); // let the last frames drain
        // The engine keeps idle CPUs awake for a while after the last frame, then wakes once to let them halt:
        // measured from then on, the engine's steady idle (the wait is printed).
        if (engine.settings().awakeCpus()) {
            awaitCpusAllowedToHalt();
        } else {
            print("no CPU latency request to wait for (awakeCpus=false): measuring at once");
        }
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

    // --- a busy machine ----------------------------------------------------------------------------------------

    /**
     * CPU-bound programs at this JVM's nice value. A shutdown hook ends them if the JVM is stopped (Ctrl-C, TERM);
     * {@code timeout} ends them {@link #MAX_SECONDS} after a {@code kill -9}. {@code --foreground} keeps it in
     * this process group, so the terminal's Ctrl-C reaches it as well.
     */
    record CpuHogs(List<Process> processes, Thread onExit) implements AutoCloseable {
        static final int MAX_SECONDS = 300;

        static CpuHogs start(int count) throws IOException {
            List<Process> started = new ArrayList<>();
            Thread onExit = new Thread(() -> started.forEach(Process::destroy));
            Runtime.getRuntime().addShutdownHook(onExit);
            CpuHogs hogs = new CpuHogs(started, onExit);
            try {
                for (int i = 0; i < count; i++) {
                    started.add(new ProcessBuilder("timeout", "--foreground", String.valueOf(MAX_SECONDS),
                            "sha256sum", "/dev/zero").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.DISCARD).start());
                }
            } catch (IOException | RuntimeException e) {
                hogs.close();
                throw e;
            }
            return hogs;
        }

        boolean allRunning() {
            return processes.stream().allMatch(Process::isAlive);
        }

        @Override
        public void close() {
            processes.forEach(Process::destroy); // TERM, which timeout passes on to sha256sum
            for (Process p : processes) {
                try {
                    p.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs anyway
            }
        }

        /** The nice value they inherit: field 19 of this thread's stat, after the command's closing parenthesis. */
        static String niceValue() {
            try {
                String stat = Files.readString(Path.of("/proc/thread-self/stat"));
                return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16];
            } catch (IOException e) {
                return "?";
            }
        }

        @Override
        public String toString() {
            return processes.size() + " x sha256sum /dev/zero (one per core, nice " + niceValue() + "), pids "
                    + processes.stream().map(p -> String.valueOf(p.pid())).toList();
        }
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
