package net.mignet.openflow;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import net.mignet.net.EmulationEvent;
import net.mignet.net.EmulationEvents;
import net.mignet.net.FlowEntry;
import net.mignet.net.Link;
import net.mignet.net.Switch;
import net.mignet.topo.FailMode;
import net.mignet.topo.LinkEnd;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFPortReason;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * The OpenFlow agent of one switch: a passive listener that OpenFlow tools (ovs-ofctl) and controllers connect to,
 * translating their requests to and from the switch's nftables {@link net.mignet.net.FlowTable}, which stays the
 * one truth shared with the shell. Expires rules with timeouts and announces removals and port changes.
 */
public final class OpenFlowAgent implements AutoCloseable {
    static {
        // The codec's buffers come from netty, which would use sun.misc.Unsafe (and warn on Java 25) unless told not.
        if (System.getProperty("io.netty.noUnsafe") == null) {
            System.setProperty("io.netty.noUnsafe", "true");
        }
    }

    private final Switch sw;
    private final long datapathId;
    private final ServerSocket server;
    private final Consumer<String> log;
    private final FlowTranslator translator;
    private final FlowModExecutor executor;
    private final MultipartResponder responder;
    private final SwitchPorts ports;
    private final Set<OpenFlowSession> sessions = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;
    private final AutoCloseable eventSubscription;
    private final long startedNanos = System.nanoTime();
    /** Per rule with an idle timeout: its last packet count and when that count last changed. */
    private final Map<Long, long[]> idleWatch = new HashMap<>();
    private volatile boolean closed;
    private final Set<Socket> controllerSockets = ConcurrentHashMap.newKeySet();
    private final FailMode failMode;
    private volatile InetSocketAddress controllerTarget;
    private final PuntPath punt;
    private final PacketInOut packets;

    /**
     * Starts listening on {@code listen} (a loopback address: listeners never face the real network).
     *
     * @throws IllegalArgumentException when the address is not a loopback one
     * @throws IllegalStateException    when the port is taken
     */
    public static OpenFlowAgent start(Switch sw, long datapathId, InetSocketAddress listen, EmulationEvents events,
            Consumer<String> log) {
        return start(sw, datapathId, listen, events, log, FailMode.STANDALONE, PuntPath.DEFAULT_RATE);
    }

    /**
     * As {@link #start(Switch, long, InetSocketAddress, EmulationEvents, Consumer)}, with the switch's fail mode
     * and the most packet-ins per second it sends (frames over that rate are dropped in the kernel). Packet-outs of
     * TCP/UDP frames need the hosts' checksum offload off: {@link HostOffloads#disableChecksumOffload} (which
     * {@link OpenFlowAgents#start} calls).
     */
    public static OpenFlowAgent start(Switch sw, long datapathId, InetSocketAddress listen, EmulationEvents events,
            Consumer<String> log, FailMode failMode, int packetInRate) {
        if (datapathId < 1 || datapathId > 65535) {
            throw new IllegalArgumentException("datapath id " + datapathId + " of " + sw.name()
                    + " must be within 1..65535: it names the switch's packet-in group too");
        }
        if (listen.getAddress() == null || !listen.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("OpenFlow listener of " + sw.name() + " on " + listen
                    + ": only loopback addresses (127.0.0.0/8) are allowed, so no outside machine can program it");
        }
        try {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(listen);
            try {
                return new OpenFlowAgent(sw, datapathId, server, events, log, failMode, packetInRate);
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen for OpenFlow of " + sw.name() + " on " + listen + ": "
                    + e.getMessage() + " (choose another port, e.g. with --openflow-listen-base)", e);
        }
    }

    private OpenFlowAgent(Switch sw, long datapathId, ServerSocket server, EmulationEvents events,
            Consumer<String> log, FailMode failMode, int packetInRate) {
        this.sw = sw;
        this.failMode = failMode;
        this.datapathId = datapathId;
        this.server = server;
        this.log = log;
        this.ports = new SwitchPorts(sw);
        this.translator = new FlowTranslator(ports);
        this.executor = new FlowModExecutor(sw.flowTable(), translator, this::announceRemoval);
        this.responder = new MultipartResponder(this, sw.flowTable(), translator, executor, ports);
        this.packets = new PacketInOut(this, sw.flowTable(), ports);
        this.punt = PuntPath.open(sw, (int) datapathId, packetInRate, packets::packetIn, log);
        packets.attach(punt);
        try {
            updateTableMiss();
        } catch (RuntimeException e) {
            punt.close();
            throw e;
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "openflow-expiry-" + sw.name());
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::expire, 1, 1, TimeUnit.SECONDS);
        this.eventSubscription = events.subscribe(this::onEvent);
        Thread.ofPlatform().daemon().name("openflow-listen-" + sw.name()).start(this::acceptLoop);
    }

    public String switchName() {
        return sw.name();
    }

    public long datapathId() {
        return datapathId;
    }

    /** Where the listener accepts connections. */
    public InetSocketAddress listenAddress() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** Connections open now (tools and controllers). */
    public int connections() {
        return sessions.size();
    }

    /** Controllers connected now (active connections that finished HELLO); tools do not count. */
    public int controllers() {
        return (int) sessions.stream().filter(OpenFlowSession::isController).count();
    }

    /** The controller this agent connects to, or null when it has none. */
    public InetSocketAddress controllerTarget() {
        return controllerTarget;
    }

    public FailMode failMode() {
        return failMode;
    }

    Set<OpenFlowSession> sessions() {
        return sessions;
    }

    PacketInOut packets() {
        return packets;
    }

    long startedNanos() {
        return startedNanos;
    }

    net.mignet.net.FlowTable flowTable() {
        return sw.flowTable();
    }

    FlowModExecutor executor() {
        return executor;
    }

    MultipartResponder responder() {
        return responder;
    }

    void log(String message) {
        log.accept(message);
    }

    void sessionReady(OpenFlowSession session) {
        sessions.add(session);
        if (session.isController()) {
            log("*** OpenFlow " + sw.name() + ": controller " + session.peer() + " connected ("
                    + session.factory().getVersion() + ")");
            updateTableMiss();
        }
    }

    void sessionEnded(OpenFlowSession session) {
        if (sessions.remove(session) && session.isController()) {
            if (!closed) {
                log("*** OpenFlow " + sw.name() + ": controller " + session.peer() + " went away; " + failMode
                        + " mode: frames no rule matches " + (failMode == FailMode.STANDALONE
                        ? "go to the learning bridge" : "are dropped") + " until it is back");
                updateTableMiss();
            }
        }
    }

    /** Sets the flow table's miss for the controllers connected now and the fail mode (see {@link FailMode}). */
    private synchronized void updateTableMiss() {
        if (closed) {
            return;
        }
        List<OpenFlowSession> controllers = sessions.stream().filter(OpenFlowSession::isController).toList();
        boolean anyOf10 = controllers.stream().anyMatch(c -> c.factory().getVersion() == OFVersion.OF_10);
        try {
            sw.flowTable().setTableMiss(failMode.tableMiss(!controllers.isEmpty(), anyOf10));
        } catch (RuntimeException e) {
            log("OpenFlow " + sw.name() + ": cannot change the table miss: " + e.getMessage());
        }
    }

    /**
     * Keeps an active connection to the controller at {@code controller} (a loopback address), as
     * {@code controller: tcp:127.0.0.1:6653} asks: connects, serves it until it ends, and connects again after
     * 1 s, doubling the wait up to 8 s while the controller stays away, until the agent is closed.
     */
    public void connectTo(InetSocketAddress controller) {
        if (controller.getAddress() == null || !controller.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("controller of " + sw.name() + " at " + controller
                    + ": only loopback addresses (127.0.0.0/8) are allowed");
        }
        controllerTarget = controller;
        Thread.ofPlatform().daemon().name("openflow-controller-" + sw.name()).start(() -> {
            long backoffMillis = 1000;
            while (!closed) {
                try (Socket socket = new Socket()) {
                    socket.connect(controller, 2000);
                    controllerSockets.add(socket);
                    if (closed) {
                        return;
                    }
                    backoffMillis = 1000;
                    new OpenFlowSession(this, socket, true).serve();
                } catch (IOException e) {
                    // Not there (yet, or any more): try again after the back-off.
                } finally {
                    controllerSockets.removeIf(Socket::isClosed);
                }
                try {
                    Thread.sleep(backoffMillis);
                } catch (InterruptedException e) {
                    return;
                }
                backoffMillis = Math.min(8000, backoffMillis * 2);
            }
        });
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                OpenFlowSession session = new OpenFlowSession(this, socket, false);
                // A platform thread: a virtual one waits for its socket through the poller thread, a hop that
                // showed in the packet-out latency; connections are few.
                Thread.ofPlatform().daemon().name("openflow-" + sw.name() + "-" + socket.getPort())
                        .start(session::serve);
            } catch (IOException e) {
                if (!closed) {
                    log("OpenFlow listener of " + sw.name() + " failed: " + e.getMessage());
                }
                return;
            }
        }
    }

    /** Removes the rules whose idle or hard timeout has passed, telling the peers that asked. */
    private void expire() {
        try {
            // Listing the rules sorts the whole table under its lock: not every second when no rule can expire.
            List<FlowEntry> timed = !sw.flowTable().anyExpires() ? List.of()
                    : sw.flowTable().rules().stream().filter(e -> e.options().expires()).toList();
            if (timed.isEmpty()) {
                idleWatch.clear();
                return;
            }
            long now = System.nanoTime();
            boolean anyIdle = timed.stream().anyMatch(e -> e.options().idleTimeout() > 0);
            List<FlowEntry> current = anyIdle ? sw.flowTable().entries() : timed;
            Map<Long, OFFlowRemovedReason> due = new HashMap<>();
            for (FlowEntry e : current) {
                if (!e.options().expires()) {
                    continue;
                }
                int hard = e.options().hardTimeout();
                if (hard > 0 && now - e.installedNanos() >= hard * 1_000_000_000L) {
                    due.put(e.id(), OFFlowRemovedReason.HARD_TIMEOUT);
                    continue;
                }
                int idle = e.options().idleTimeout();
                if (idle > 0) {
                    long[] seen = idleWatch.computeIfAbsent(e.id(), k -> new long[] {e.packets(), now});
                    if (seen[0] != e.packets()) {
                        seen[0] = e.packets();
                        seen[1] = now;
                    } else if (now - seen[1] >= idle * 1_000_000_000L) {
                        due.put(e.id(), OFFlowRemovedReason.IDLE_TIMEOUT);
                    }
                }
            }
            idleWatch.keySet().retainAll(current.stream().map(FlowEntry::id).toList());
            if (due.isEmpty()) {
                return;
            }
            for (FlowEntry gone : sw.flowTable().remove(due.keySet())) {
                idleWatch.remove(gone.id());
                if (gone.options().notifyRemoval()) {
                    announceRemoval(gone, due.get(gone.id()));
                }
            }
        } catch (RuntimeException e) {
            log("OpenFlow expiry on " + sw.name() + " failed: " + e.getMessage());
        }
    }

    private void announceRemoval(FlowEntry e, OFFlowRemovedReason reason) {
        long age = Math.max(0, System.nanoTime() - (e.installedNanos() == 0 ? startedNanos : e.installedNanos()));
        for (OpenFlowSession s : sessions) {
            OFFactory f = s.factory();
            var b = f.buildFlowRemoved().setXid(0).setCookie(U64.of(e.options().cookie())).setPriority(e.rule().priority())
                    .setReason(reason).setDurationSec(age / 1_000_000_000L).setDurationNsec(age % 1_000_000_000L)
                    .setIdleTimeout(e.options().idleTimeout()).setPacketCount(U64.of(e.packets()))
                    .setByteCount(U64.of(e.bytes())).setMatch(translator.toMatch(f, e.rule().match()));
            if (f.getVersion() != OFVersion.OF_10) {
                b.setTableId(TableId.of(0)).setHardTimeout(e.options().hardTimeout());
            }
            s.send(b.build());
        }
    }

    private void onEvent(EmulationEvent event) {
        if (sessions.isEmpty() || !(event.detail() instanceof Link link)
                || !(event.kind().equals("link-up") || event.kind().equals("link-down"))) {
            return;
        }
        for (LinkEnd end : List.of(link.a(), link.b())) {
            if (!end.node().equals(sw.name())) {
                continue;
            }
            int number = ports.number(end.interfaceName()).orElse(-1);
            ports.states().stream().filter(p -> p.number() == number).findFirst().ifPresent(p -> {
                for (OpenFlowSession s : sessions) {
                    OFFactory f = s.factory();
                    s.send(f.buildPortStatus().setXid(0).setReason(OFPortReason.MODIFY)
                            .setDesc(MultipartResponder.portDesc(f, p)).build());
                }
            });
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // Closing a listener that failed already.
        }
        sessions.forEach(OpenFlowSession::close);
        for (Socket s : controllerSockets) {
            try {
                s.close();
            } catch (IOException e) {
                // Closing a connection that is gone already.
            }
        }
        timer.shutdownNow();
        try {
            // Without its agent the switch is a plain mignet switch again: misses go to the learning bridge.
            sw.flowTable().setTableMiss(new net.mignet.flow.FlowAction.Normal());
        } catch (RuntimeException e) {
            // Usually the emulation going away with its namespaces; said in case it is not.
            log("OpenFlow " + sw.name() + ": cannot give the table miss back to the bridge: " + e.getMessage());
        }
        punt.close();
        ports.close();
        try {
            eventSubscription.close();
        } catch (Exception e) {
            // Unsubscribing cannot fail in a way that matters here.
        }
    }
}
