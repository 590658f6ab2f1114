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
    static final int WARMUP = 200;
    /** When the controller last read a PACKET_IN: splits the round trip into its way up and its way down. */
    static volatile long packetInSeen;

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        line("PacketInBench: %d samples each (after %d to warm up), single,2, OpenFlow 1.3", samples, WARMUP);
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                // A rate limit far above the bench's pace: the limit is not what is measured.
                OpenFlowAgent agent = OpenFlowAgent.start(net.switchNamed("s1"), 1,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), net.events(), s -> { },
                        FailMode.STANDALONE, 1_000_000);
                Socket controller = new Socket(InetAddress.getLoopbackAddress(), agent.listenAddress().getPort());
                DatagramSocket h1 = udp(net, "h1", 0);
                DatagramSocket h2 = udp(net, "h2", 9999)) {
            HostOffloads.disableChecksumOffload(net);
            String h2Ip = net.host("h2").ip().toString();
            net.host("h1").ping(h2Ip, 1); // ARP resolved before anything is timed
            controller.setTcpNoDelay(true);
            OutputStream out = controller.getOutputStream();
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(controller.getInputStream()));
            write(out, F.buildHello().setXid(1).build());
            write(out, F.buildSetConfig().setXid(2).setMissSendLen(0xffff).build());
            Thread.ofPlatform().daemon().name("bench-controller").start(() -> answerPacketIns(in, out));

            InetSocketAddress to = new InetSocketAddress(h2Ip, 9999);
            addRule(out, List.of(F.actions().buildOutput().setPort(OFPort.CONTROLLER).setMaxLen(0xffff).build()));
            long[] up = new long[samples];
            long[] viaController = roundTrips(h1, h2, to, samples, up);
            addRule(out, List.of(F.actions().output(OFPort.of(2), 0)));
            long[] kernel = roundTrips(h1, h2, to, samples, null);
            line("");
            line("%-44s %9s %9s %9s", "h1 -> h2, one datagram at a time", "p50 us", "p99 us", "mean us");
            row("packet-in -> controller -> packet-out", viaController);
            row("  of which h1 send -> PACKET_IN read", up);
            row("kernel forwarding (rule output:s1-h2)", kernel);
            line("controller detour adds %.0f us at p50; target p50 < 1000 us: %s",
                    (pct(viaController, 50) - pct(kernel, 50)) / 1e3, pct(viaController, 50) < 1_000_000 ? "met"
                            : "NOT met");

            line("");
            line("%-44s %9s %9s %9s", "h1 send -> frame read in userspace", "p50 us", "p99 us", "mean us");
            PuntChoice.measure(net, h1, h2Ip, samples);

            line("");
            String missing = OvsNetdev.missing();
            if (missing != null) {
                line("Open vSwitch (netdev datapath) not measured: %s", missing);
            } else {
                long[][] ovs = OvsNetdev.measure(samples);
                line("%-44s %9s %9s %9s", "Open vSwitch, userspace (netdev) datapath", "p50 us", "p99 us", "mean us");
                row("packet-in -> controller -> packet-out", ovs[0]);
                row("OVS forwarding (rule output:2)", ovs[1]);
                line("mignet / OVS packet-in round trip at p50: %.2f (below 1: mignet is faster)",
                        pct(viaController, 50) / pct(ovs[0], 50));
            }
        }
        Path dir = Path.of("bench/results");
        Files.createDirectories(dir);
        Path file = dir.resolve("packet-in-" + Instant.now().toString().replace(':', '-') + ".txt");
        Files.writeString(file, report);
        System.out.println("(written to " + file + ")");
    }

    /** The bench's controller: every PACKET_IN goes straight back out of port 2 as a PACKET_OUT. */
    static void answerPacketIns(DataInputStream in, OutputStream out) {
        try {
            while (true) {
                byte[] header = new byte[8];
                in.readFully(header);
                int length = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
                byte[] m = Arrays.copyOf(header, length);
                in.readFully(m, 8, length - 8);
                if (m[0] != 4 || m[1] != 10) { // OpenFlow 1.3 PACKET_IN
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

    /** UDP from h1 to h2:9999 on in_port 1 gets {@code actions}; waits until the agent has applied it. */
    static void addRule(OutputStream out, List<OFAction> actions) throws Exception {
        write(out, F.buildFlowAdd().setXid(3).setPriority(100).setMatch(F.buildMatch()
                .setExact(MatchField.IN_PORT, OFPort.of(1)).setExact(MatchField.ETH_TYPE, EthType.IPv4)
                .setExact(MatchField.IP_PROTO, IpProtocol.UDP).setExact(MatchField.UDP_DST, TransportPort.of(9999))
                .build()).setInstructions(List.of(F.instructions().applyActions(actions))).build());
        // No barrier reader here (the controller thread owns the input): the FLOW_MOD is applied before the
        // agent reads the next message, and the warm-up's first datagrams would only be slower.
        Thread.sleep(300);
    }

    static long[] roundTrips(DatagramSocket h1, DatagramSocket h2, InetSocketAddress to, int samples, long[] up)
            throws Exception {
        byte[] payload = new byte[64];
        DatagramPacket send = new DatagramPacket(payload, payload.length, to);
        DatagramPacket got = new DatagramPacket(new byte[1500], 1500);
        h2.setSoTimeout(1000);
        long[] t = new long[samples];
        int lost = 0;
        for (int i = -WARMUP; i < samples; i++) {
            long t0 = System.nanoTime();
            h1.send(send);
            try {
                h2.receive(got);
            } catch (java.net.SocketTimeoutException e) {
                lost++;
                i--;
                if (lost > 20) {
                    throw new IllegalStateException("more than 20 datagrams lost: the path does not work");
                }
                continue;
            }
            long dt = System.nanoTime() - t0;
            if (i >= 0) {
                t[i] = dt;
                if (up != null) {
                    up[i] = packetInSeen - t0;
                }
            }
        }
        Arrays.sort(t);
        if (up != null) {
            Arrays.sort(up);
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
        line("%-44s %9.0f %9.0f %9.0f", what, pct(sorted, 50) / 1e3, pct(sorted, 99) / 1e3,
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
    static final class OvsNetdev {
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

        static long[][] measure(int samples) throws Exception {
            String tag = "pib" + ProcessHandle.current().pid();
            String sw = tag + "-sw";
            String h1 = tag + "-h1";
            String h2 = tag + "-h2";
            Path dir = Files.createTempDirectory("pib-ovs");
            List<Process> daemons = new java.util.ArrayList<>();
            List<String> namespaces = List.of(sw, h1, h2);
            try {
                for (String ns : namespaces) {
                    Command.check(List.of("ip", "netns", "add", ns));
                }
                for (String ns : namespaces) {
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
                net.mignet.kernel.ChecksumOffload.disableTransmit(java.util.Map.of(h1, List.of("pibh1"), h2,
                        List.of("pibh2")));
                Command.check(List.of("ovsdb-tool", "create", dir.resolve("conf.db").toString(),
                        "/usr/share/openvswitch/vswitch.ovsschema"));
                String db = "unix:" + dir.resolve("db.sock");
                daemons.add(daemon(dir, List.of("ip", "netns", "exec", sw, "ovsdb-server", dir.resolve("conf.db")
                        .toString(), "--remote=p" + db, "--unixctl=" + dir.resolve("ovsdb.ctl"), "--no-chdir",
                        "--log-file=" + dir.resolve("ovsdb.log")), "ovsdb.out"));
                awaitFile(dir.resolve("db.sock"));
                Command.check(List.of("ovs-vsctl", "--db=" + db, "--no-wait", "init"));
                daemons.add(daemon(dir, List.of("ip", "netns", "exec", sw, "ovs-vswitchd", db,
                        "--unixctl=" + dir.resolve("vswitchd.ctl"), "--no-chdir",
                        "--log-file=" + dir.resolve("vswitchd.log")), "vswitchd.out"));
                Command.check(List.of("ovs-vsctl", "--db=" + db, "--timeout=20", "add-br", "br0", "--", "set",
                        "bridge", "br0", "datapath_type=netdev", "protocols=OpenFlow13", "--", "set-controller",
                        "br0", "ptcp:16699:127.0.0.1", "--", "add-port", "br0", "pibsw1", "--", "set", "interface",
                        "pibsw1", "ofport_request=1", "--", "add-port", "br0", "pibsw2", "--", "set", "interface",
                        "pibsw2", "ofport_request=2"));
                Command.check(List.of("ip", "-n", sw, "link", "set", "br0", "up"));
                try (Socket controller = connectWithin(sw, 16699);
                        DatagramSocket s1 = udpIn(h1, 0);
                        DatagramSocket s2 = udpIn(h2, 9999)) {
                    controller.setTcpNoDelay(true);
                    OutputStream out = controller.getOutputStream();
                    DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(
                            controller.getInputStream()));
                    write(out, F.buildHello().setXid(1).build());
                    write(out, F.buildSetConfig().setXid(2).setMissSendLen(0xffff).build());
                    Thread.ofPlatform().daemon().name("bench-ovs-controller").start(() -> answerPacketIns(in, out));
                    Command.check(List.of("ip", "netns", "exec", h1, "ping", "-c", "1", "-W", "2", "10.99.0.2"));
                    InetSocketAddress to = new InetSocketAddress("10.99.0.2", 9999);
                    addRule(out, List.of(F.actions().buildOutput().setPort(OFPort.CONTROLLER).setMaxLen(0xffff)
                            .build()));
                    long[] viaController = roundTrips(s1, s2, to, samples, null);
                    addRule(out, List.of(F.actions().output(OFPort.of(2), 0)));
                    long[] forwarding = roundTrips(s1, s2, to, samples, null);
                    return new long[][] {viaController, forwarding};
                }
            } finally {
                for (Process p : daemons.reversed()) {
                    p.destroy();
                    if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                }
                for (String ns : namespaces) {
                    Command.run(List.of("ip", "netns", "del", ns), "", Command.DEFAULT_TIMEOUT);
                }
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }

        static Process daemon(Path dir, List<String> argv, String output) throws java.io.IOException {
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
