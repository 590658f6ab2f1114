import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * How fast a controller can push flow changes into a mignet switch over OpenFlow 1.3: a small Java client (the
 * codec mignet uses) connects to the agent of s1 in single,3 and
 * <ol>
 * <li>pipelines N FLOW_MOD adds and one BARRIER, as controllers push a batch (the agent applies what arrived
 * back to back as one nftables transaction): flow-mods/s until the barrier reply, for N = 1 000 and 5 000;</li>
 * <li>sends FLOW_MOD + BARRIER one at a time, waiting for each reply, as {@code ovs-ofctl add-flows} does:
 * flow-mods/s for 200 rules added to a table that already holds 0 and 2 000 rules.</li>
 * </ol>
 * Packet-in latency is not measured: the agent has no packet-in path yet.
 * <pre>
 *   bench/run OpenFlowBench
 * </pre>
 * Raw numbers go to {@code bench/results/openflow-<time>.txt}.
 */
public class OpenFlowBench {
    static final StringBuilder report = new StringBuilder();
    static final OFFactory F = OFFactories.getFactory(OFVersion.OF_13);
    static long xid = 100;

    public static void main(String[] args) throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,3"));
                OpenFlowAgent agent = OpenFlowAgent.start(net.switchNamed("s1"), 1,
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), net.events(), s -> { });
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), agent.listenAddress().getPort())) {
            socket.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
            OutputStream out = socket.getOutputStream();
            send(out, List.of(F.buildHello().setXid(1).build()));
            read(in);
            for (int n : new int[] {1000, 5000}) {
                clear(out, in);
                long t0 = System.nanoTime();
                List<OFMessage> burst = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    burst.add(flowMod(i));
                }
                burst.add(F.buildBarrierRequest().setXid(++xid).build());
                send(out, burst);
                awaitBarrier(in);
                double s = (System.nanoTime() - t0) / 1e9;
                line("pipelined %5d FLOW_MODs + BARRIER: %.3f s, %.0f flow-mods/s", n, s, n / s);
                int installed = net.switchNamed("s1").flowTable().rules().size();
                if (installed != n) {
                    throw new IllegalStateException("expected " + n + " rules, the table has " + installed);
                }
            }
            for (int base : new int[] {0, 2000}) {
                clear(out, in);
                List<OFMessage> fill = new ArrayList<>();
                for (int i = 0; i < base; i++) {
                    fill.add(flowMod(10_000 + i));
                }
                fill.add(F.buildBarrierRequest().setXid(++xid).build());
                send(out, fill);
                awaitBarrier(in);
                int n = 200;
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    send(out, List.of(flowMod(i), F.buildBarrierRequest().setXid(++xid).build()));
                    awaitBarrier(in);
                }
                double s = (System.nanoTime() - t0) / 1e9;
                line("one at a time (FLOW_MOD, wait for BARRIER) onto %4d rules: %d in %.3f s, %.0f flow-mods/s",
                        base, n, s, n / s);
            }
        }
        Path dir = Path.of("bench/results");
        Files.createDirectories(dir);
        Path file = dir.resolve("openflow-" + Instant.now().toString().replace(':', '-') + ".txt");
        Files.writeString(file, report);
        System.out.println("raw numbers: " + file);
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
        send(out, List.of(F.buildFlowDelete().setXid(++xid).build(), F.buildBarrierRequest().setXid(++xid).build()));
        awaitBarrier(in);
    }

    static void send(OutputStream out, List<OFMessage> messages) throws Exception {
        ByteBuf buf = Unpooled.buffer();
        for (OFMessage m : messages) {
            m.writeTo(buf);
        }
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        out.write(bytes);
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

    static void awaitBarrier(DataInputStream in) throws Exception {
        while (true) {
            OFMessage m = read(in);
            if (m.getType() == OFType.BARRIER_REPLY) {
                return;
            }
            if (m.getType() == OFType.ERROR) {
                throw new IllegalStateException("the agent refused a request: " + m);
            }
        }
    }

    static void line(String format, Object... args) {
        String s = String.format(Locale.ROOT, format, args);
        System.out.println(s);
        report.append(s).append('\n');
    }
}
