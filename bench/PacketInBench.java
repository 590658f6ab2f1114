import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import net.mignet.kernel.Command;
import net.mignet.kernel.NamespaceThread;
import net.mignet.kernel.NativeCalls;
import net.mignet.kernel.NflogSocket;
import net.mignet.net.Emulation;
import net.mignet.openflow.HostOffloads;
import net.mignet.openflow.OpenFlowAgent;
import net.mignet.topo.FailMode;
import net.mignet.topo.TopologyGenerators;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFAction;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IpProtocol;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TransportPort;

/**
 * Packet-in -> packet-out round trip through a mignet switch, measured from the hosts: h1 sends a UDP datagram
 * that s1's rule sends to the controller (a small Java OpenFlow 1.3 controller in this process, which answers
 * each PACKET_IN at once with a PACKET_OUT to h2's port); the time until h2 has it, one datagram at a time.
 * In the same run:
 * <ol>
 * <li>the same datagram forwarded by the kernel (rule output:s1-h2): what the controller's detour adds;</li>
 * <li>the two ways a frame can reach userspace from a switch port, without OpenFlow around them: nftables
 * {@code log group} read over nfnetlink_log (what the agent uses) and {@code fwd} to a copy veth read with
 * {@code AF_PACKET}: from h1's send to the read returning.</li>
 * </ol>
 * <pre>
 *   bench/run PacketInBench [samples]     (default 2000, after 200 to warm up)
 * </pre>
 * Raw numbers go to {@code bench/results/packet-in-<time>.txt}.
 */
public class PacketInBench {
    static final StringBuilder report = new StringBuilder();
    static final OFFactory F = OFFactories.getFactory(OFVersion.OF_13);
    /** Round trips before measuring: enough for the JIT to compile the agent's path (fewer leave it interpreted). */
    static final int WARMUP = Integer.getInteger("warmup", 3000);
    /** When the controller last read a PACKET_IN: splits the round trip into its way up and its way down. */
    static volatile long packetInSeen;

    /** One switch under test: a controller connection to it, and a sender and a receiver behind its ports 1, 2. */
    record Rig(String name, Controller controller, DatagramSocket h1, DatagramSocket h2, InetSocketAddress to) {
    }

    /** The bench's controller on one connection: its output and the barrier replies its reader saw. */
    record Controller(OutputStream out, java.util.concurrent.BlockingQueue<Long> barriers) {
    }

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        line("PacketInBench: %d samples each (after %d to warm up), OpenFlow 1.3, one datagram at a time", samples,
                WARMUP);
        String missing = OvsNetdev.missing();
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                // A rate limit far above the bench's pace: the limit is not what is measured.
                OpenFlowAgent agent = OpenFlowAgent.start(net.switchNamed("s1"), 1,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), net.events(), s -> { },
                        FailMode.STANDALONE, 1_000_000);
                Socket controller = new Socket(InetAddress.getLoopbackAddress(), agent.listenAddress().getPort());
                DatagramSocket h1 = udp(net, "h1", 0);
                DatagramSocket h2 = udp(net, "h2", 9999);
                OvsNetdev ovs = missing == null ? OvsNetdev.open() : null) {
            HostOffloads.disableChecksumOffload(net);
            String h2Ip = net.host("h2").ip().toString();
            net.host("h1").ping(h2Ip, 1); // ARP resolved before anything is timed
            List<Rig> rigs = new java.util.ArrayList<>();
            rigs.add(new Rig("mignet", serve(controller), h1, h2, new InetSocketAddress(h2Ip, 9999)));
            if (ovs != null) {
                rigs.add(ovs.rig());
            }
            for (Rig r : rigs) {
                addRule(r.controller(), List.of(F.actions().buildOutput().setPort(OFPort.CONTROLLER)
                        .setMaxLen(0xffff).build()));
            }
            long[][] viaController = interleaved(rigs, samples, true);
            for (Rig r : rigs) {
                addRule(r.controller(), List.of(F.actions().output(OFPort.of(2), 0)));
            }
            long[][] forwarding = interleaved(rigs, samples, false);

            line("");
            line("%-48s %9s %9s %9s", "h1 -> h2 round trip through", "p50 us", "p99 us", "mean us");
            row("mignet: packet-in -> controller -> packet-out", viaController[0]);
            row("  of which h1 send -> PACKET_IN read", up);
            row("mignet: kernel forwarding (rule output:s1-h2)", forwarding[0]);
            if (ovs != null) {
                row("OVS netdev: packet-in -> controller -> packet-out", viaController[1]);
                row("OVS netdev: forwarding (rule output:2)", forwarding[1]);
            } else {
                line("Open vSwitch (netdev datapath) not measured: %s", missing);
            }
            line("");
            line("packet-in round trip p50: %.0f us, target < 1000 us: %s", pct(viaController[0], 50) / 1e3,
                    pct(viaController[0], 50) < 1_000_000 ? "met" : "NOT met");
            if (ovs != null) {
                line("mignet / OVS netdev, packet-in round trip: p50 %.2f, p99 %.2f (below 1: mignet is faster)",
                        pct(viaController[0], 50) / pct(viaController[1], 50),
                        pct(viaController[0], 99) / pct(viaController[1], 99));
            }

            line("");
            line("%-48s %9s %9s %9s", "h1 send -> frame read in userspace", "p50 us", "p99 us", "mean us");
            PuntChoice.measure(net, h1, h2Ip, samples);
        }
        Path dir = Path.of("bench/results");
        Files.createDirectories(dir);
        Path file = dir.resolve("packet-in-" + Instant.now().toString().replace(':', '-') + ".txt");
        Files.writeString(file, report);
        System.out.println("(written to " + file + ")");
    }

    /** Way up of each mignet sample: h1's send to the controller reading the PACKET_IN. */
    static long[] up;

    /** Says HELLO, asks for packet-ins and answers them on a thread of its own. */
    static Controller serve(Socket socket) throws Exception {
        socket.setTcpNoDelay(true);
        OutputStream out = socket.getOutputStream();
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
        write(out, F.buildHello().setXid(1).build());
        write(out, F.buildSetConfig().setXid(2).setMissSendLen(0xffff).build());
        Controller c = new Controller(out, new java.util.concurrent.LinkedBlockingQueue<>());
        Thread.ofPlatform().daemon().name("bench-controller").start(() -> answerPacketIns(in, c));
        return c;
    }

    /**
     * Warms every rig up, then measures them in turns of 100 datagrams each, so that the load of this shared
     * machine falls on all alike. Returns the sorted round trips per rig.
     */
    static long[][] interleaved(List<Rig> rigs, int samples, boolean splitUp) throws Exception {
        for (Rig r : rigs) {
            roundTrips(r, WARMUP, null);
        }
        long[][] all = new long[rigs.size()][samples];
        long[] ups = splitUp ? new long[samples] : null;
        for (int done = 0; done < samples; done += 100) {
            int n = Math.min(100, samples - done);
            for (int i = 0; i < rigs.size(); i++) {
                long[] t = roundTrips(rigs.get(i), n, i == 0 ? ups == null ? null : new long[n] : null);
                System.arraycopy(t, 0, all[i], done, n);
                if (i == 0 && ups != null) {
                    System.arraycopy(lastUp, 0, ups, done, n);
                }
            }
        }
        for (long[] a : all) {
            Arrays.sort(a);
        }
        if (ups != null) {
            Arrays.sort(ups);
            up = ups;
        }
        return all;
    }

    static long[] lastUp;

    /** The bench's controller: every PACKET_IN goes straight back out of port 2 as a PACKET_OUT. */
    static void answerPacketIns(DataInputStream in, Controller c) {
        OutputStream out = c.out();
        try {
            while (true) {
                byte[] header = new byte[8];
                in.readFully(header);
                int length = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
                byte[] m = Arrays.copyOf(header, length);
                in.readFully(m, 8, length - 8);
                if (m[0] != 4 || m[1] != 10) { // OpenFlow 1.3 PACKET_IN
                    if (m[0] == 4 && m[1] == 21) { // BARRIER_REPLY
                        c.barriers().add(((m[4] & 0xffL) << 24) | ((m[5] & 0xff) << 16) | ((m[6] & 0xff) << 8)
                                | (m[7] & 0xff));
                    }
                    if (m[0] == 4 && m[1] == 1) {
                        System.err.println("switch error: " + F.getReader().readFrom(Unpooled.wrappedBuffer(m)));
                    }
                    continue;
                }
                packetInSeen = System.nanoTime();
                OFPacketIn pi = (OFPacketIn) F.getReader().readFrom(Unpooled.wrappedBuffer(m));
                write(out, F.buildPacketOut().setXid(pi.getXid()).setBufferId(OFBufferId.NO_BUFFER)
                        .setInPort(pi.getMatch().get(MatchField.IN_PORT))
                        .setActions(List.of(F.actions().output(OFPort.of(2), 0))).setData(pi.getData()).build());
            }
        } catch (Exception e) {
            // The connection ended with the bench.
        }
    }

    /** UDP from h1 to h2:9999 on in_port 1 gets {@code actions}; returns once the switch confirms (barrier). */
    static void addRule(Controller c, List<OFAction> actions) throws Exception {
        write(c.out(), F.buildFlowAdd().setXid(3).setPriority(100).setMatch(F.buildMatch()
                .setExact(MatchField.IN_PORT, OFPort.of(1)).setExact(MatchField.ETH_TYPE, EthType.IPv4)
                .setExact(MatchField.IP_PROTO, IpProtocol.UDP).setExact(MatchField.UDP_DST, TransportPort.of(9999))
                .build()).setInstructions(List.of(F.instructions().applyActions(actions))).build());
        write(c.out(), F.buildBarrierRequest().setXid(4).build());
        if (c.barriers().poll(10, java.util.concurrent.TimeUnit.SECONDS) == null) {
            throw new IllegalStateException("no barrier reply within 10 s after a FLOW_MOD");
        }
    }

    /** {@code n} datagrams h1 -> h2, one at a time; their round trips in order (and the ways up into {@code up}). */
    static long[] roundTrips(Rig rig, int n, long[] upInto) throws Exception {
        byte[] payload = new byte[64];
        DatagramPacket send = new DatagramPacket(payload, payload.length, rig.to());
        DatagramPacket got = new DatagramPacket(new byte[1500], 1500);
        rig.h2().setSoTimeout(1000);
        long[] t = new long[n];
        int lost = 0;
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            rig.h1().send(send);
            try {
                rig.h2().receive(got);
            } catch (java.net.SocketTimeoutException e) {
                if (++lost > 20) {
                    throw new IllegalStateException(rig.name() + ": more than 20 datagrams lost: the path does not"
                            + " work");
                }
                i--;
                continue;
            }
            t[i] = System.nanoTime() - t0;
            if (upInto != null) {
                upInto[i] = packetInSeen - t0;
            }
        }
        if (upInto != null) {
            lastUp = upInto;
        }
        return t;
    }

    static DatagramSocket udp(Emulation net, String host, int port) {
        return NamespaceThread.call(net.host(host).namespace(), () -> {
            try {
                return new DatagramSocket(new InetSocketAddress(port));
            } catch (java.net.SocketException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static void write(OutputStream out, OFMessage m) {
        ByteBuf buf = Unpooled.buffer(256);
        m.writeTo(buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        try {
            synchronized (out) {
                out.write(bytes);
                out.flush();
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static double pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    static void row(String what, long[] sorted) {
        line("%-48s %9.0f %9.0f %9.0f", what, pct(sorted, 50) / 1e3, pct(sorted, 99) / 1e3,
                Arrays.stream(sorted).average().orElse(0) / 1e3);
    }

    static void line(String format, Object... args) {
        String s = String.format(Locale.ROOT, format, args);
        System.out.println(s);
        report.append(s).append('\n');
    }

    /**
     * The two ways to get a switch port's frames to userspace, side by side on s1-h1 in a table of their own that
     * runs before the flow table: nfnetlink_log (UDP to port 7777) and a copy veth read with AF_PACKET (7778).
     */
    static final class PuntChoice {
        static final int GROUP = 900;

        static void measure(Emulation net, DatagramSocket h1, String h2Ip, int samples) throws Exception {
            String ns = net.switchNamed("s1").fabricNamespace();
            Command.check(List.of("ip", "-n", ns, "link", "add", "pcopy0", "type", "veth", "peer", "name", "pcopy1"));
            Command.check(List.of("ip", "-n", ns, "link", "set", "pcopy0", "up"));
            Command.check(List.of("ip", "-n", ns, "link", "set", "pcopy1", "up"));
            Command.run(List.of("ip", "netns", "exec", ns, "nft", "-f", "-"), """
                    table netdev bench_punt {
                      chain in {
                        type filter hook ingress device "s1-h1" priority -10; policy accept;
                        udp dport 7777 log group %d queue-threshold 1 drop
                        udp dport 7778 fwd to "pcopy0"
                      }
                    }
                    """.formatted(GROUP), Command.DEFAULT_TIMEOUT);
            NflogSocket nflog = NamespaceThread.call(ns, () -> NflogSocket.open(GROUP));
            RawSocket raw = NamespaceThread.call(ns, () -> RawSocket.open("pcopy1"));
            try {
                long[] viaNflog = times(h1, new InetSocketAddress(h2Ip, 7777), samples, () -> {
                    while (nflog.receive().isEmpty()) {
                        // The wait timed out: wait on (the datagram is on its way).
                    }
                });
                long[] viaPacket = times(h1, new InetSocketAddress(h2Ip, 7778), samples, raw::receive);
                row("nftables log group -> nfnetlink_log", viaNflog);
                row("nftables fwd -> copy veth -> AF_PACKET", viaPacket);
                line("nfnetlink_log / AF_PACKET at p50: %.2f", pct(viaNflog, 50) / pct(viaPacket, 50));
            } finally {
                nflog.close();
                raw.close();
            }
        }

        interface Receive {
            void await() throws Exception;
        }

        static long[] times(DatagramSocket h1, InetSocketAddress to, int samples, Receive receive) throws Exception {
            byte[] payload = new byte[64];
            DatagramPacket send = new DatagramPacket(payload, payload.length, to);
            long[] t = new long[samples];
            for (int i = -WARMUP; i < samples; i++) {
                long t0 = System.nanoTime();
                h1.send(send);
                receive.await();
                if (i >= 0) {
                    t[i] = System.nanoTime() - t0;
                }
            }
            Arrays.sort(t);
            return t;
        }
    }

    /**
     * Open vSwitch with its userspace datapath ({@code datapath_type=netdev}, no kernel module) on two hosts of its
     * own, measured as mignet is: the same controller over a passive OpenFlow 1.3 connection, the same rule, the
     * same datagrams. ovsdb-server and ovs-vswitchd run in a namespace of the bench's with their own run
     * directory, and are killed (by pid) and removed with it.
     */
    static final class OvsNetdev implements AutoCloseable {
        final String sw;
        final String h1;
        final String h2;
        final Path dir;
        final List<Process> daemons = new java.util.ArrayList<>();
        Socket controller;
        DatagramSocket s1;
        DatagramSocket s2;

        OvsNetdev(String tag, Path dir) {
            this.sw = tag + "-sw";
            this.h1 = tag + "-h1";
            this.h2 = tag + "-h2";
            this.dir = dir;
        }

        static String missing() {
            for (String tool : List.of("ovs-vswitchd", "ovsdb-server", "ovsdb-tool", "ovs-vsctl")) {
                boolean found = java.util.Arrays.stream(System.getenv("PATH").split(":"))
                        .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
                if (!found) {
                    return "no " + tool + " (apt-get install openvswitch-switch)";
                }
            }
            return Files.exists(Path.of("/usr/share/openvswitch/vswitch.ovsschema")) ? null
                    : "no /usr/share/openvswitch/vswitch.ovsschema";
        }

        /** Two hosts on an OVS bridge with the netdev datapath, its OpenFlow listener on its own loopback. */
        static OvsNetdev open() throws Exception {
            OvsNetdev o = new OvsNetdev("pib" + ProcessHandle.current().pid(), Files.createTempDirectory("pib-ovs"));
            try {
                o.start();
                return o;
            } catch (Exception | Error e) {
                o.close();
                throw e;
            }
        }

        private void start() throws Exception {
            for (String ns : List.of(sw, h1, h2)) {
                Command.check(List.of("ip", "netns", "add", ns));
                Command.check(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
            }
            for (int i = 1; i <= 2; i++) {
                String host = i == 1 ? h1 : h2;
                Command.check(List.of("ip", "-n", sw, "link", "add", "pibsw" + i, "type", "veth", "peer", "name",
                        "pibh" + i, "netns", host));
                Command.check(List.of("ip", "-n", sw, "link", "set", "pibsw" + i, "up"));
                Command.check(List.of("ip", "-n", host, "addr", "add", "10.99.0." + i + "/24", "dev", "pibh" + i));
                Command.check(List.of("ip", "-n", host, "link", "set", "pibh" + i, "up"));
            }
            // As for mignet's hosts: frames that cross userspace need their checksums done by the sender.
            net.mignet.kernel.ChecksumOffload.disableTransmit(java.util.Map.of(h1, List.of("pibh1"), h2,
                    List.of("pibh2")));
            Command.check(List.of("ovsdb-tool", "create", dir.resolve("conf.db").toString(),
                    "/usr/share/openvswitch/vswitch.ovsschema"));
            String db = "unix:" + dir.resolve("db.sock");
            daemons.add(daemon(List.of("ip", "netns", "exec", sw, "ovsdb-server", dir.resolve("conf.db").toString(),
                    "--remote=p" + db, "--unixctl=" + dir.resolve("ovsdb.ctl"), "--no-chdir",
                    "--log-file=" + dir.resolve("ovsdb.log")), "ovsdb.out"));
            awaitFile(dir.resolve("db.sock"));
            Command.check(List.of("ovs-vsctl", "--db=" + db, "--no-wait", "init"));
            daemons.add(daemon(List.of("ip", "netns", "exec", sw, "ovs-vswitchd", db,
                    "--unixctl=" + dir.resolve("vswitchd.ctl"), "--no-chdir",
                    "--log-file=" + dir.resolve("vswitchd.log")), "vswitchd.out"));
            Command.check(List.of("ovs-vsctl", "--db=" + db, "--timeout=20", "add-br", "br0", "--", "set",
                    "bridge", "br0", "datapath_type=netdev", "protocols=OpenFlow13", "--", "set-controller",
                    "br0", "ptcp:16699:127.0.0.1", "--", "add-port", "br0", "pibsw1", "--", "set", "interface",
                    "pibsw1", "ofport_request=1", "--", "add-port", "br0", "pibsw2", "--", "set", "interface",
                    "pibsw2", "ofport_request=2"));
            Command.check(List.of("ip", "-n", sw, "link", "set", "br0", "up"));
            controller = connectWithin(sw, 16699);
            s1 = udpIn(h1, 0);
            s2 = udpIn(h2, 9999);
            Command.check(List.of("ip", "netns", "exec", h1, "ping", "-c", "1", "-W", "2", "10.99.0.2"));
        }

        Rig rig() throws Exception {
            return new Rig("OVS netdev", serve(controller), s1, s2, new InetSocketAddress("10.99.0.2", 9999));
        }

        @Override
        public void close() throws Exception {
            for (AutoCloseable c : new AutoCloseable[] {controller, s1, s2}) {
                if (c != null) {
                    c.close();
                }
            }
            for (Process p : daemons.reversed()) {
                p.destroy();
                if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            for (String ns : List.of(sw, h1, h2)) {
                Command.run(List.of("ip", "netns", "del", ns), "", Command.DEFAULT_TIMEOUT);
            }
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }

        Process daemon(List<String> argv, String output) throws java.io.IOException {
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(dir.resolve(output).toFile());
            pb.environment().put("OVS_RUNDIR", dir.toString());
            pb.environment().put("OVS_DBDIR", dir.toString());
            pb.environment().put("OVS_LOGDIR", dir.toString());
            return pb.start();
        }

        static void awaitFile(Path file) throws InterruptedException {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!Files.exists(file)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(file + " did not appear within 10 s");
                }
                Thread.sleep(20);
            }
        }

        static Socket connectWithin(String ns, int port) {
            return NamespaceThread.call(ns, () -> {
                try {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
                    return s;
                } catch (java.io.IOException e) {
                    throw new IllegalStateException("cannot reach OVS's OpenFlow listener: " + e.getMessage(), e);
                }
            });
        }

        static DatagramSocket udpIn(String ns, int port) {
            return NamespaceThread.call(ns, () -> {
                try {
                    return new DatagramSocket(new InetSocketAddress(port));
                } catch (java.net.SocketException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    /** An AF_PACKET socket that receives every frame arriving on one interface (blocking reads). */
    static final class RawSocket implements AutoCloseable {
        static final Linker LINKER = Linker.nativeLinker();
        static final MethodHandle SOCKET = NativeCalls.downcall("socket", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        static final MethodHandle BIND = NativeCalls.downcall("bind", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        static final MethodHandle RECV = NativeCalls.downcall("recv", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        final int fd;
        final MemorySegment buffer = Arena.ofAuto().allocate(65536);

        RawSocket(int fd) {
            this.fd = fd;
        }

        static RawSocket open(String name) {
            try (Arena arena = Arena.ofConfined()) {
                int ethPAll = Short.toUnsignedInt(Short.reverseBytes((short) 3));
                int fd = NativeCalls.check((int) SOCKET.invokeExact(NativeCalls.callState(), 17, 3, ethPAll),
                        "socket");
                MemorySegment sll = arena.allocate(20);
                sll.set(ValueLayout.JAVA_SHORT, 0, (short) 17);
                sll.set(ValueLayout.JAVA_SHORT, 2, (short) ethPAll);
                sll.set(ValueLayout.JAVA_INT, 4, NativeCalls.ifNameToIndex(name));
                NativeCalls.check((int) BIND.invokeExact(NativeCalls.callState(), fd, sll, 20), "bind " + name);
                return new RawSocket(fd);
            } catch (Throwable t) {
                throw NativeCalls.rethrow(t);
            }
        }

        void receive() {
            try {
                NativeCalls.check((long) RECV.invokeExact(NativeCalls.callState(), fd, buffer, buffer.byteSize(), 0),
                        "recv");
            } catch (Throwable t) {
                throw NativeCalls.rethrow(t);
            }
        }

        @Override
        public void close() {
            NativeCalls.close(fd);
        }
    }
}
