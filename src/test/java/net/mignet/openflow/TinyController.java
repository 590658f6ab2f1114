package net.mignet.openflow;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;

/**
 * A minimal OpenFlow peer for tests: connects to an agent's listener, says HELLO in one version, asks for
 * packet-ins (SET_CONFIG with a miss_send_len) and queues every message the switch sends.
 */
final class TinyController implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final OFFactory factory;
    private final java.util.Map<OFType, BlockingQueue<OFMessage>> received =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Connects to an agent's passive listener, as a tool does. */
    TinyController(InetSocketAddress agent, OFVersion version) throws IOException {
        this(connect(agent), version);
    }

    private static Socket connect(InetSocketAddress agent) throws IOException {
        Socket s = new Socket();
        s.connect(agent, 2000);
        return s;
    }

    /** Serves a connection the agent opened to us (the agent's controller connection). */
    TinyController(Socket accepted, OFVersion version) throws IOException {
        this.factory = OFFactories.getFactory(version);
        this.socket = accepted;
        socket.setTcpNoDelay(true);
        this.out = socket.getOutputStream();
        send(factory.buildHello().setXid(1).build());
        DataInputStream in = new DataInputStream(socket.getInputStream());
        Thread.ofPlatform().daemon().name("tiny-controller").start(() -> {
            try {
                while (true) {
                    byte[] header = new byte[8];
                    in.readFully(header);
                    int length = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
                    byte[] m = Arrays.copyOf(header, length);
                    in.readFully(m, 8, length - 8);
                    if ((m[0] & 0xff) != version.getWireVersion()) {
                        continue; // the switch's HELLO offers its highest version
                    }
                    OFMessage msg = factory.getReader().readFrom(Unpooled.wrappedBuffer(m));
                    if (msg != null) {
                        queue(msg.getType()).add(msg);
                    }
                }
            } catch (Exception e) {
                // The connection ended.
            }
        });
        send(factory.buildSetConfig().setXid(2).setMissSendLen(0xffff).build());
    }

    OFFactory factory() {
        return factory;
    }

    synchronized void send(OFMessage m) throws IOException {
        ByteBuf buf = Unpooled.buffer(256);
        m.writeTo(buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        out.write(bytes);
        out.flush();
    }

    private BlockingQueue<OFMessage> queue(OFType type) {
        return received.computeIfAbsent(type, t -> new LinkedBlockingQueue<>());
    }

    /** The next message of this type within {@code timeout}, or null. */
    @SuppressWarnings("unchecked")
    <T extends OFMessage> T next(OFType type, Duration timeout) throws InterruptedException {
        return (T) queue(type).poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Forgets the messages of this type received so far. */
    void clear(OFType type) {
        queue(type).clear();
    }

    /**
     * The flow change with {@code actions} as this version carries them: 1.0 in the message, 1.3 in an
     * apply-actions instruction.
     */
    org.projectfloodlight.openflow.protocol.OFFlowMod withActions(
            org.projectfloodlight.openflow.protocol.OFFlowMod.Builder mod,
            java.util.List<org.projectfloodlight.openflow.protocol.action.OFAction> actions) {
        return factory.getVersion() == OFVersion.OF_10 ? mod.setActions(actions).build()
                : mod.setInstructions(java.util.List.of(factory.instructions().applyActions(actions))).build();
    }

    /** Sends a barrier and waits for its reply: every request before it has been carried out. */
    void barrier() throws IOException, InterruptedException {
        send(factory.buildBarrierRequest().setXid(99).build());
        if (next(OFType.BARRIER_REPLY, Duration.ofSeconds(5)) == null) {
            throw new IllegalStateException("no barrier reply within 5 s");
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
