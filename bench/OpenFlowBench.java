import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.mignet.kernel.Command;
import net.mignet.kernel.CommandResult;
import net.mignet.kernel.NamespaceThread;
import net.mignet.net.Emulation;
import net.mignet.openflow.OpenFlowAgent;
import net.mignet.topo.TopologyGenerators;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IpProtocol;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TransportPort;

/**
 * How fast a controller can push flow changes over OpenFlow 1.3 into a mignet switch (the agent of s1 in single,3)
 * and, in the same run, into Open vSwitch's userspace datapath ({@code datapath_type=netdev}): ovsdb-server and
 * ovs-vswitchd started inside the emulation's fabric namespace with a run directory of their own, listening on
 * that namespace's loopback, stopped and removed at the end. For each switch:
 * <ol>
 * <li>a small Java client (the codec mignet uses) sends N FLOW_MOD adds one by one, then one BARRIER: flow-mods/s
 * until the barrier's reply, N = 5 000. The client encodes all its messages once before the rounds, as a
 * controller in a process of its own would not leave its garbage in the JVM of mignet's agent;</li>
 * <li>{@code ovs-ofctl -O OpenFlow13 add-flows} with a file of 5 000 flows (it waits for a BARRIER reply after
 * every flow);</li>
 * <li>the Java client one at a time (FLOW_MOD + BARRIER, waiting for the reply), 500 flows onto a table of 0 and
 * of 5 000 rules.</li>
 * </ol>
 * After ten unrecorded rounds ({@code --warm-up N}: the JVM compiles the agent's hot code, as in a long-running
 * emulation), rounds
 * alternate between the switches ({@code --rounds}, default 3); the table at the end has medians and the
 * ratio mignet/OVS (above 1: mignet is faster). For the burst it also gives the CPU time it cost: this JVM's
 * threads (the client, and mignet's agent with the kernel's work it does) plus the switch's own processes (OVS's),
 * read from each thread's schedstat; on a loaded machine that figure swings less than the rate. It also prints how
 * long the JIT compiled during the recorded rounds: while C2 compiles it takes a core from a burst, and it keeps this
 * VM's vCPUs from halting, which made every wake-up of {@code ovs-ofctl add-flows}' one-flow round trips cheaper
 * (after one warm-up round, mignet's add-flows rounds ran at 15-22k/s while C2 compiled and fell to 9-13k/s once it
 * was done, with the vCPUs idle between flows half of the time; OVS's stayed at 13-15k/s).
 * {@code --only burst,add-flows,single,filled} measures only the cases named (the others print as NaN), e.g. to
 * profile one of them over many rounds.
 * <pre>
 *   bench/run OpenFlowBench [--rounds 3] [--warm-up 10] [--no-ovs] [--only CASES]
 * </pre>
 * Raw numbers go to {@code bench/results/openflow-<time>.txt}.
 */
public class OpenFlowBench {
    static final StringBuilder report = new StringBuilder();
    static final OFFactory F = OFFactories.getFactory(OFVersion.OF_13);
    static final int BURST = 5000;
    static final int SINGLES = 500;
    static long xid = 100;
    /**
     * The client's messages, encoded once before the rounds: the burst (with its BARRIER), the filling burst, and
     * each single FLOW_MOD with its BARRIER. Encoding them in the timed part, as this bench did first, put the
     * codec's garbage (some 150 MB a round) into the JVM that also runs mignet's agent, whose collections then
     * paused the agent in the middle of its bursts; a controller is a process of its own.
     */
    static byte[] burstBytes;
    static byte[] fillBytes;
    static byte[][] singleBytes;
    static final List<String> CASES = List.of("burst", "add-flows", "single", "filled");
    static java.util.Set<String> only = new java.util.HashSet<>(CASES);

    /** A switch under test: how to reach its OpenFlow listener. */
    interface Target extends AutoCloseable {
        String name();

        Socket connect() throws IOException;

        /** The ovs-ofctl command line for {@code args}, run where the listener can be reached. */
        List<String> ofctl(String... args);

        /** The processes the switch runs in besides this JVM (whose CPU time counts as the switch's too). */
        List<Long> pids();

        @Override
        void close();
    }

    public static void main(String[] args) throws Exception {
        int rounds = 3;
        int warmUp = 10;
        boolean ovs = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--no-ovs" -> ovs = false;
                case "--warm-up" -> warmUp = Integer.parseInt(args[++i]);
                case "--only" -> {
                    only = new java.util.HashSet<>(List.of(args[++i].split(",")));
                    if (!CASES.containsAll(only)) {
                        throw new IllegalArgumentException("--only takes cases of " + CASES + ", not " + args[i]);
                    }
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; use --rounds N, --warm-up N, --no-ovs, --only " + String.join(",", CASES));
            }
        }
        Path flowFile = Files.createTempFile("openflow-bench", ".flows");
        StringBuilder flows = new StringBuilder();
        for (int i = 0; i < BURST; i++) {
            flows.append("priority=10,in_port=1,udp,tp_dst=").append(1 + i).append(",actions=output:2\n");
        }
        Files.writeString(flowFile, flows);
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        encodeMessages();
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,3"));
                OpenFlowAgent agent = OpenFlowAgent.start(net.switchNamed("s1"), 1,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), net.events(), System.err::println)) {
            List<Target> targets = new ArrayList<>();
            targets.add(new MignetTarget(agent));
            if (ovs) {
                if (Command.run(List.of("which", "ovs-vswitchd"), null, Duration.ofSeconds(5)).ok()) {
                    targets.add(OvsTarget.start(net.switchNamed("s1").fabricNamespace()));
                } else {
                    line("no ovs-vswitchd: only mignet is measured (apt-get install openvswitch-switch)");
                }
            }
            try {
                // Unrecorded rounds: the JVM compiles the agent's hot code, as a long-running emulation has.
                for (int warm = 0; warm < warmUp; warm++) {
                    for (Target t : targets) {
                        measure(t, flowFile);
                    }
                }
                long compiledBefore = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
                for (int round = 1; round <= rounds; round++) {
                    for (Target t : targets) {
                        double[] r = measure(t, flowFile);
                        results.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(r);
                        line("round %d %-7s client burst %6.0f/s (CPU %5.1f ms; written in %4.1f ms, answered %4.1f ms"
                                + " later)  ovs-ofctl add-flows %6.0f/s  one at a time onto 0: %6.0f/s, onto %d: %6.0f/s",
                                round, t.name(), r[0], r[4], r[5], r[6], r[1], r[2], BURST, r[3]);
                    }
                }
                line("JIT compile time during the recorded rounds: %d ms (this JVM's compiler threads; more warm-up"
                        + " rounds if large)", ManagementFactory.getCompilationMXBean().getTotalCompilationTime()
                        - compiledBefore);
            } finally {
                targets.forEach(Target::close);
            }
        } finally {
            Files.deleteIfExists(flowFile);
        }
        summary(results);
        Path dir = Path.of("bench/results");
        Files.createDirectories(dir);
        Path file = dir.resolve("openflow-" + Instant.now().toString().replace(':', '-') + ".txt");
        Files.writeString(file, report);
        System.out.println("raw numbers: " + file);
    }

    /** Flow-mods/s: client burst, ovs-ofctl add-flows, one at a time onto 0 rules, onto BURST rules. */
    static double[] measure(Target t, Path flowFile) throws Exception {
        double[] r = new double[7];
        java.util.Arrays.fill(r, Double.NaN);
        try (Socket socket = t.connect()) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(120_000);
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
            OutputStream out = socket.getOutputStream();
            send(out, List.of(F.buildHello().setXid(1).build()));
            awaitType(in, OFType.HELLO);

            if (only.contains("burst")) {
                burst(t, out, in, r);
            }
            if (only.contains("add-flows")) {
                addFlows(t, flowFile, out, in, r);
            }
            for (int k = 0; k < 2; k++) {
                if (only.contains(k == 0 ? "single" : "filled")) {
                    oneAtATime(k, out, in, r);
                }
            }
            clear(out, in);
        }
        return r;
    }

    /** The client's burst: BURST FLOW_MODs and one BARRIER, written at once; r[0] rate, r[4..6] CPU and times. */
    static void burst(Target t, OutputStream out, DataInputStream in, double[] r) throws Exception {
        clear(out, in);
        long cpu0 = cpuNanos(t.pids());
        long t0 = System.nanoTime();
        out.write(burstBytes);
        out.flush();
        long written = System.nanoTime();
        awaitType(in, OFType.BARRIER_REPLY);
        r[0] = BURST / ((System.nanoTime() - t0) / 1e9);
        r[5] = (written - t0) / 1e6;
        r[6] = (System.nanoTime() - written) / 1e6;
        r[4] = (cpuNanos(t.pids()) - cpu0) / 1e6;
        requireFlows(out, in, BURST, t.name());
    }

    /** ovs-ofctl add-flows with BURST flows: r[1]. */
    static void addFlows(Target t, Path flowFile, OutputStream out, DataInputStream in, double[] r) throws Exception {
        clear(out, in);
        long t1 = System.nanoTime();
        CommandResult added = Command.run(t.ofctl("add-flows", flowFile.toString()), null, Duration.ofMinutes(10));
        if (!added.ok()) {
            throw new IllegalStateException("ovs-ofctl add-flows on " + t.name() + " failed: " + added.stderr());
        }
        r[1] = BURST / ((System.nanoTime() - t1) / 1e9);
        requireFlows(out, in, BURST, t.name());
    }

    /** SINGLES FLOW_MODs, each with a BARRIER awaited, onto 0 rules (k = 0, r[2]) or BURST rules (k = 1, r[3]). */
    static void oneAtATime(int k, OutputStream out, DataInputStream in, double[] r) throws Exception {
        clear(out, in);
        if (k == 1) {
            out.write(fillBytes);
            out.flush();
            awaitType(in, OFType.BARRIER_REPLY);
        }
        long t2 = System.nanoTime();
        for (int i = 0; i < SINGLES; i++) {
            out.write(singleBytes[i]);
            out.flush();
            awaitType(in, OFType.BARRIER_REPLY);
        }
        r[2 + k] = SINGLES / ((System.nanoTime() - t2) / 1e9);
    }

    static void summary(Map<String, List<double[]>> results) {
        String[] names = {"client: 5000 FLOW_MODs, one BARRIER", "ovs-ofctl add-flows (5000)",
                "one at a time onto 0 rules", "one at a time onto 5000 rules"};
        line("");
        line("%-38s %12s %12s %8s", "flow-mods/s (median)", "mignet", "ovs-netdev", "ratio");
        for (int i = 0; i < names.length; i++) {
            double m = median(results.get("mignet"), i);
            double o = results.containsKey("ovs") ? median(results.get("ovs"), i) : Double.NaN;
            line("%-38s %12.0f %12.0f %8.2f", names[i], m, o, m / o);
        }
        // On a loaded machine the rates swing with what else runs; the CPU a burst costs (this JVM, which holds the
        // client and mignet's agent, plus the switch's own processes) swings less.
        double m = median(results.get("mignet"), 4);
        double o = results.containsKey("ovs") ? median(results.get("ovs"), 4) : Double.NaN;
        line("%-38s %12.1f %12.1f %8.2f", "client burst: CPU ms (lower is better)", m, o, o / m);
        // The client builds and writes the burst (the same work for both switches) while the switch reads it; what
        // the switch still has to do once the last byte is written is the part that differs most.
        m = median(results.get("mignet"), 6);
        o = results.containsKey("ovs") ? median(results.get("ovs"), 6) : Double.NaN;
        line("%-38s %12.1f %12.1f %8.2f", "client burst: ms after the last write", m, o, o / m);
    }

    /** CPU time of this JVM's threads and of {@code pids}' threads, in nanoseconds (from each task's schedstat). */
    static long cpuNanos(List<Long> pids) throws IOException {
        List<Long> all = new ArrayList<>(pids);
        all.add(ProcessHandle.current().pid());
        long sum = 0;
        for (long pid : all) {
            try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        sum += Long.parseLong(Files.readString(task.resolve("schedstat")).split(" ")[0]);
                    } catch (IOException e) {
                        // The thread ended meanwhile.
                    }
                }
            }
        }
        return sum;
    }

    static double median(List<double[]> runs, int i) {
        double[] v = runs.stream().mapToDouble(r -> r[i]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static void requireFlows(OutputStream out, DataInputStream in, int expected, String name) throws Exception {
        send(out, List.of(F.buildAggregateStatsRequest().setXid(++xid).setMatch(F.buildMatch().build())
                .setOutPort(OFPort.ANY).setOutGroup(org.projectfloodlight.openflow.types.OFGroup.ANY)
                .setTableId(org.projectfloodlight.openflow.types.TableId.ALL).build()));
        OFMessage m = awaitType(in, OFType.STATS_REPLY);
        long count = ((org.projectfloodlight.openflow.protocol.OFAggregateStatsReply) m).getFlowCount();
        if (count != expected) {
            throw new IllegalStateException(name + " holds " + count + " flows, expected " + expected);
        }
    }

    /** Encodes the client's messages once (see {@link #burstBytes}). */
    static void encodeMessages() {
        List<OFMessage> burst = new ArrayList<>();
        List<OFMessage> fill = new ArrayList<>();
        for (int i = 0; i < BURST; i++) {
            burst.add(flowMod(i));
            fill.add(flowMod(20_000 + i));
        }
        burst.add(F.buildBarrierRequest().setXid(++xid).build());
        fill.add(F.buildBarrierRequest().setXid(++xid).build());
        burstBytes = encode(burst);
        fillBytes = encode(fill);
        singleBytes = new byte[SINGLES][];
        for (int i = 0; i < SINGLES; i++) {
            singleBytes[i] = encode(List.of(flowMod(i), F.buildBarrierRequest().setXid(++xid).build()));
        }
    }

    static byte[] encode(List<OFMessage> messages) {
        ByteBuf buf = Unpooled.buffer();
        for (OFMessage m : messages) {
            m.writeTo(buf);
        }
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        return bytes;
    }

    static OFMessage flowMod(int i) {
        return F.buildFlowAdd().setXid(++xid).setPriority(10)
                .setMatch(F.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(1))
                        .setExact(MatchField.ETH_TYPE, EthType.IPv4).setExact(MatchField.IP_PROTO, IpProtocol.UDP)
                        .setExact(MatchField.UDP_DST, TransportPort.of(1 + i % 60000)).build())
                .setInstructions(List.of(F.instructions().applyActions(List.of(
                        F.actions().buildOutput().setPort(OFPort.of(2)).setMaxLen(0xffe5).build()))))
                .build();
    }

    static void clear(OutputStream out, DataInputStream in) throws Exception {
        send(out, List.of(F.buildFlowDelete().setXid(++xid).setTableId(org.projectfloodlight.openflow.types.TableId.ALL)
                .build(), F.buildBarrierRequest().setXid(++xid).build()));
        awaitType(in, OFType.BARRIER_REPLY);
    }

    static void send(OutputStream out, List<OFMessage> messages) throws Exception {
        out.write(encode(messages));
        out.flush();
    }

    static OFMessage read(DataInputStream in) throws Exception {
        byte[] header = new byte[8];
        in.readFully(header);
        int length = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
        byte[] m = java.util.Arrays.copyOf(header, length);
        in.readFully(m, 8, length - 8);
        return F.getReader().readFrom(Unpooled.wrappedBuffer(m));
    }

    /** Reads until a message of {@code type}, answering echo requests; an error message fails the run. */
    static OFMessage awaitType(DataInputStream in, OFType type) throws Exception {
        while (true) {
            OFMessage m = read(in);
            if (m.getType() == type) {
                return m;
            }
            if (m.getType() == OFType.ERROR) {
                throw new IllegalStateException("the switch refused a request: " + m);
            }
        }
    }

    static void line(String format, Object... args) {
        String s = String.format(Locale.ROOT, format, args);
        System.out.println(s);
        report.append(s).append('\n');
    }

    /** mignet's agent, listening on the loopback of the namespace the bench runs in. */
    record MignetTarget(OpenFlowAgent agent) implements Target {
        public String name() {
            return "mignet";
        }

        public Socket connect() throws IOException {
            return new Socket(InetAddress.getLoopbackAddress(), agent.listenAddress().getPort());
        }

        public List<String> ofctl(String... args) {
            List<String> argv = new ArrayList<>(List.of("ovs-ofctl", "-O", "OpenFlow13", args[0],
                    "tcp:127.0.0.1:" + agent.listenAddress().getPort()));
            argv.addAll(List.of(args).subList(1, args.length));
            return argv;
        }

        public List<Long> pids() {
            return List.of();
        }

        public void close() {
        }
    }

    /**
     * Open vSwitch with its userspace datapath: ovsdb-server and ovs-vswitchd in the emulation's fabric namespace,
     * their database, sockets, pid and log files in a directory of their own (never the system's
     * /var/run/openvswitch), a bridge br0 with {@code datapath_type=netdev} listening for OpenFlow on the
     * namespace's loopback. Closing stops both (by pid) and removes the directory.
     */
    static final class OvsTarget implements Target {
        private final String namespace;
        private final Path dir;
        private final int port;
        private final List<Process> processes = new ArrayList<>();

        private OvsTarget(String namespace, Path dir, int port) {
            this.namespace = namespace;
            this.dir = dir;
            this.port = port;
        }

        static OvsTarget start(String namespace) throws Exception {
            Path dir = Files.createTempDirectory("mignet-ovs-bench");
            int port;
            try (ServerSocket probe = NamespaceThread.call(namespace, () -> {
                try {
                    return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            })) {
                port = probe.getLocalPort();
            }
            OvsTarget t = new OvsTarget(namespace, dir, port);
            try {
                t.run("ip", "link", "set", "lo", "up");
                Command.check(List.of("ovsdb-tool", "create", dir.resolve("conf.db").toString(),
                        "/usr/share/openvswitch/vswitch.ovsschema"));
                t.spawn("ovsdb-server", dir.resolve("conf.db").toString(), "--remote=punix:" + t.db(),
                        "--unixctl=" + dir.resolve("ovsdb-server.ctl"), "--log-file=" + dir.resolve("ovsdb-server.log"));
                t.awaitFile(dir.resolve("db.sock"));
                t.vsctl("--no-wait", "init");
                t.spawn("ovs-vswitchd", "unix:" + t.db(), "--unixctl=" + dir.resolve("ovs-vswitchd.ctl"),
                        "--log-file=" + dir.resolve("ovs-vswitchd.log"));
                t.vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev",
                        "protocols=OpenFlow10,OpenFlow13", "fail-mode=secure", "--", "set-controller", "br0",
                        "ptcp:" + port + ":127.0.0.1");
                t.awaitListener();
                return t;
            } catch (Exception e) {
                t.close();
                throw e;
            }
        }

        private String db() {
            return dir.resolve("db.sock").toString();
        }

        private Map<String, String> environment() {
            return Map.of("OVS_RUNDIR", dir.toString(), "OVS_LOGDIR", dir.toString(), "OVS_DBDIR", dir.toString(),
                    "OVS_SYSCONFDIR", dir.toString());
        }

        private List<String> inNamespace(String... argv) {
            List<String> a = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
            a.addAll(List.of(argv));
            return a;
        }

        private void run(String... argv) {
            Command.check(inNamespace(argv));
        }

        private void vsctl(String... args) {
            List<String> argv = new ArrayList<>(List.of("ovs-vsctl", "--db=unix:" + db(), "--timeout=20"));
            argv.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(inNamespace(argv.toArray(String[]::new)));
            pb.environment().putAll(environment());
            pb.redirectErrorStream(true);
            try {
                Process p = pb.start();
                String output = new String(p.getInputStream().readAllBytes());
                if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("ovs-vsctl " + String.join(" ", args) + " failed: " + output);
                }
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }

        private void spawn(String... argv) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(inNamespace(argv));
            pb.environment().putAll(environment());
            pb.redirectErrorStream(true).redirectOutput(dir.resolve(argv[0] + ".out").toFile());
            processes.add(pb.start());
        }

        private void awaitFile(Path file) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!Files.exists(file)) {
                if (System.nanoTime() > deadline || processes.stream().anyMatch(p -> !p.isAlive())) {
                    throw new IllegalStateException("OVS did not create " + file + "; see " + dir);
                }
                Thread.sleep(20);
            }
        }

        private void awaitListener() throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try (Socket s = connect()) {
                    return;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline || processes.stream().anyMatch(p -> !p.isAlive())) {
                        throw new IllegalStateException("ovs-vswitchd does not listen on port " + port + "; see "
                                + dir);
                    }
                    Thread.sleep(50);
                }
            }
        }

        public String name() {
            return "ovs";
        }

        public List<Long> pids() {
            List<Long> pids = new ArrayList<>();
            for (Process p : processes) {
                p.toHandle().descendants().forEach(h -> pids.add(h.pid()));
                pids.add(p.pid());
            }
            return pids;
        }

        public Socket connect() throws IOException {
            try {
                return NamespaceThread.call(namespace, () -> {
                    try {
                        return new Socket(InetAddress.getLoopbackAddress(), port);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            } catch (java.io.UncheckedIOException e) {
                throw e.getCause();
            }
        }

        public List<String> ofctl(String... args) {
            List<String> argv = new ArrayList<>(List.of("ovs-ofctl", "-O", "OpenFlow13", args[0],
                    "tcp:127.0.0.1:" + port));
            argv.addAll(List.of(args).subList(1, args.length));
            return inNamespace(argv.toArray(String[]::new));
        }

        /** Stops ovs-vswitchd, then ovsdb-server (SIGTERM, SIGKILL after 5 s), and removes their directory. */
        public void close() {
            for (Process p : processes.reversed()) {
                // ip netns exec runs the daemon as its child; end the daemon by its own pid, then ip.
                p.toHandle().descendants().forEach(ProcessHandle::destroy);
                p.destroy();
                try {
                    if (!p.waitFor(5, TimeUnit.SECONDS)) {
                        p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                System.err.println("could not remove " + dir + ": " + e.getMessage());
            }
        }
    }
}
