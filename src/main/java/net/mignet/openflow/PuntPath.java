package net.mignet.openflow;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import net.mignet.kernel.FrameInjector;
import net.mignet.kernel.NamespaceThread;
import net.mignet.kernel.NativeCalls;
import net.mignet.kernel.NflogSocket;
import net.mignet.kernel.NftPacketIn;
import net.mignet.net.Switch;

/**
 * A switch's userspace path for frames: the frames its flow table sends to the controller arrive here over
 * nfnetlink_log with the port they came in on (one socket per switch, one read per frame, no copy device per
 * port), and frames of PACKET_OUTs leave through an {@code AF_PACKET} socket out of the port asked for.
 */
final class PuntPath implements AutoCloseable {
    /** Packet-ins per second and switch when nothing else is configured. */
    static final int DEFAULT_RATE = 1000;

    /** A frame the flow table sent up: the port it came in on (OpenFlow number) and the rule that sent it. */
    record Punted(int port, long ruleId, byte[] frame, long receivedNanos) {
    }

    private final Switch sw;
    private final NflogSocket nflog;
    private final FrameInjector injector;
    private final Consumer<Punted> sink;
    private final Consumer<String> log;
    private volatile Map<Integer, Integer> portByIndex;
    private volatile int[] indexByPort;
    private volatile boolean closed;
    private final Thread reader;

    private PuntPath(Switch sw, NflogSocket nflog, FrameInjector injector, Consumer<Punted> sink,
            Consumer<String> log) {
        this.sw = sw;
        this.nflog = nflog;
        this.injector = injector;
        this.sink = sink;
        this.log = log;
        resolvePorts();
        this.reader = Thread.ofPlatform().daemon().name("openflow-packet-in-" + sw.name()).start(this::readLoop);
    }

    /**
     * Opens the path of {@code sw} on nflog group {@code group} (unique among the switches of its fabric
     * namespace) and points the switch's flow table at it, at most {@code ratePerSecond} frames a second.
     */
    static PuntPath open(Switch sw, int group, int ratePerSecond, Consumer<Punted> sink, Consumer<String> log) {
        NflogSocket nflog = NamespaceThread.call(sw.fabricNamespace(), () -> NflogSocket.open(group));
        FrameInjector injector;
        try {
            injector = NamespaceThread.call(sw.fabricNamespace(), FrameInjector::open);
        } catch (RuntimeException e) {
            nflog.close();
            throw e;
        }
        PuntPath path = new PuntPath(sw, nflog, injector, sink, log);
        try {
            sw.flowTable().setPacketIn(new NftPacketIn(group, ratePerSecond));
        } catch (RuntimeException e) {
            path.close();
            throw e;
        }
        return path;
    }

    /** Reads the ports' interface indexes again: link emulation may have replaced a port's device. */
    private void resolvePorts() {
        List<String> ports = sw.ports();
        int[] indexes = NamespaceThread.call(sw.fabricNamespace(), () -> {
            int[] found = new int[ports.size() + 1];
            for (int i = 0; i < ports.size(); i++) {
                found[i + 1] = NativeCalls.ifNameToIndex(ports.get(i));
            }
            return found;
        });
        Map<Integer, Integer> byIndex = new HashMap<>();
        for (int n = 1; n < indexes.length; n++) {
            byIndex.put(indexes[n], n);
        }
        indexByPort = indexes;
        portByIndex = byIndex;
    }

    private void readLoop() {
        try {
            while (!closed) {
                for (NflogSocket.LoggedFrame f : nflog.receive()) {
                    Integer port = portByIndex.get(f.inputInterface());
                    if (port == null) {
                        resolvePorts();
                        port = portByIndex.get(f.inputInterface());
                        if (port == null) {
                            continue;
                        }
                    }
                    try {
                        sink.accept(new Punted(port, NftPacketIn.ruleId(f.mark()), f.frame(), f.receivedNanos()));
                    } catch (RuntimeException e) {
                        log.accept("packet-in on " + sw.name() + " failed: " + e.getMessage());
                    }
                }
            }
        } catch (RuntimeException e) {
            if (!closed) {
                log.accept("the packet-in path of " + sw.name() + " stopped: " + e.getMessage());
            }
        } finally {
            nflog.close();
        }
    }

    /** Sends {@code frame} out of port {@code port} (an OpenFlow number of this switch). */
    void inject(int port, byte[] frame) {
        if (!injector.send(indexByPort[port], frame)) {
            resolvePorts();
            injector.send(indexByPort[port], frame);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            sw.flowTable().setPacketIn(null);
        } catch (RuntimeException e) {
            // The switch is going away with its namespace; its table with it.
        }
        try {
            reader.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        injector.close();
    }
}
