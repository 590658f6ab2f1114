package net.mignet.openflow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import net.mignet.kernel.Command;
import net.mignet.kernel.CommandResult;
import net.mignet.kernel.NftSession;
import net.mignet.kernel.ThreadScheduling;
import net.mignet.net.FlowTable;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IpProtocol;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.TransportPort;

/**
 * Runs a few bursts of flow adds and deletes through the agent's code once per JVM, when the first agent starts,
 * so that the JIT has compiled that code before a controller's first burst arrives. Without it, a controller that
 * pushes thousands of flows right after connecting (as a load-balancing app does at start) meets interpreted code
 * while the compiler threads take the cores: measured, that made the first bursts take twice the CPU and half the
 * rate of later ones.
 * <p>
 * The flows go to a table of its own ({@link FlowTable#standalone}) over devices made for the purpose in the fabric
 * namespace (veth pairs: this kernel has no dummy devices), carrying no traffic, with a netlink socket of its own, so no switch's traffic or lock is touched; the thread runs
 * in {@code SCHED_IDLE}, on CPU time nothing else wants. {@code -Dmignet.openflow.warmup=false} turns it off.
 */
final class FlowModWarmUp {
    static final String PROPERTY = "mignet.openflow.warmup";
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static final int SCHED_IDLE = 5;
    private static final int ROUNDS = 4;
    private static final int FLOWS = 5000;
    /** As OpenFlowSession does: a burst's parts go to the kernel while the next are decoded. */
    private static final int PART = 500;
    private static final List<String> DEVICES = List.of("ofwarm-1", "ofwarm-2", "ofwarm-3");
    private static final OFFactory F = OFFactories.getFactory(OFVersion.OF_13);

    private FlowModWarmUp() {
    }

    /** Starts the warm-up in {@code namespace} unless it ran in this JVM already or is turned off. */
    static void startOnce(String namespace, Consumer<String> log) {
        if ("false".equals(System.getProperty(PROPERTY)) || !STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread.ofPlatform().daemon().name("openflow-warm-up").start(() -> {
            int ignored = ThreadScheduling.setCurrentThread(SCHED_IDLE, 0);
            try {
                long t0 = System.nanoTime();
                run(namespace);
                if (Boolean.getBoolean("mignet.openflow.warmup.debug")) {
                    System.err.printf("openflow warm-up done in %.0f ms%n", (System.nanoTime() - t0) / 1e6);
                }
            } catch (RuntimeException e) {
                // Only the JIT misses it; the agent works the same.
                log.accept("OpenFlow warm-up skipped: " + e.getMessage());
            }
        });
    }

    private static void run(String namespace) {
        try (NftSession nft = NftSession.open(namespace)) {
            devices(namespace, "add", "type", "veth", "peer", "name", null);
            FlowTable table = FlowTable.standalone("_warm_up", namespace, DEVICES, nft);
            table.install(List.of());
            try {
                FlowModExecutor executor = new FlowModExecutor(table,
                        new FlowTranslator(new SwitchPorts(DEVICES, namespace)), (entry, reason) -> {
                        });
                byte[][] adds = new byte[FLOWS][];
                for (int i = 0; i < FLOWS; i++) {
                    adds[i] = bytes(F.buildFlowAdd().setXid(i).setPriority(10)
                            .setMatch(F.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(1 + i % 2))
                                    .setExact(MatchField.ETH_TYPE, EthType.IPv4)
                                    .setExact(MatchField.IP_PROTO, IpProtocol.UDP)
                                    .setExact(MatchField.UDP_DST, TransportPort.of(1 + i)).build())
                            .setInstructions(List.of(F.instructions().applyActions(List.of(F.actions()
                                    .buildOutput().setPort(OFPort.of(3)).setMaxLen(0xffe5).build()))))
                            .build());
                }
                byte[] deleteAll = bytes(F.buildFlowDelete().setTableId(TableId.ALL).build());
                for (int round = 0; round < ROUNDS; round++) {
                    table.batch(() -> {
                        for (int i = 0; i < FLOWS; i++) {
                            if (!executor.tryAdd(adds[i])) {
                                executor.execute(parse(adds[i]), adds[i]);
                            }
                            if ((i + 1) % PART == 0) {
                                table.flushBatch();
                            }
                        }
                    });
                    executor.execute(parse(deleteAll), deleteAll);
                }
            } finally {
                table.removeFromKernel();
            }
        } finally {
            // -force: a device that is gone already (its namespace was deleted meanwhile) stops nothing.
            Command.run(List.of("ip", "-force", "-n", namespace, "-batch", "-"), deviceLines("del"),
                    Duration.ofSeconds(10));
        }
    }

    private static void devices(String namespace, String verb, String... rest) {
        CommandResult r = Command.run(List.of("ip", "-n", namespace, "-batch", "-"), deviceLines(verb, rest),
                Duration.ofSeconds(10));
        if (!r.ok()) {
            throw new IllegalStateException("ip link " + verb + " of the warm-up's devices in " + namespace
                    + " failed: " + r.stderr().strip());
        }
    }

    private static String deviceLines(String verb, String... rest) {
        StringBuilder batch = new StringBuilder();
        for (String d : DEVICES) {
            batch.append("link ").append(verb).append(' ').append(d);
            for (String r : rest) {
                // null: the device's own name with "p" (a veth's peer).
                batch.append(' ').append(r == null ? d + "p" : r);
            }
            batch.append('\n');
        }
        return batch.toString();
    }

    private static byte[] bytes(OFMessage m) {
        ByteBuf buf = Unpooled.buffer();
        m.writeTo(buf);
        byte[] b = new byte[buf.readableBytes()];
        buf.readBytes(b);
        return b;
    }

    private static OFFlowMod parse(byte[] raw) {
        try {
            return (OFFlowMod) F.getReader().readFrom(Unpooled.wrappedBuffer(raw));
        } catch (org.projectfloodlight.openflow.exceptions.OFParseError e) {
            throw new IllegalStateException(e);
        }
    }
}
