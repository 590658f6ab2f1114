package net.mignet.apps;

import net.mignet.app.AppEvents;
import net.mignet.topo.MigrationMethod;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The counter service of the reference scenario: each request on its UDP address increments a counter and is
 * answered with it. Started fresh, or with {@code --state-from OLD:PORT}, it first takes the state over from a
 * running instance and continues from it.
 *
 * <p>Handover: every instance listens on TCP {@code --handover-port} (all addresses of its host) for a
 * successor. A successor connects at start; when the old instance then reads {@code handover} on standard
 * input (or gets SIGTERM), it stops counting, sends its state, and waits for the acknowledgement. After that
 * it forwards every request that still reaches it to the successor until it is stopped, so that no request
 * is lost while the network switches over. Should the successor not acknowledge, the old instance keeps
 * serving as if nothing had happened.
 */
public final class CounterService {
    /** How it migrates: mignet's handover protocol on its default handover port. */
    public static final MigrationMethod MIGRATION = new MigrationMethod.Handover(MigrationMethod.Handover.DEFAULT_PORT);

    static final Set<String> OPTIONS = Set.of("listen", "handover-port", "state-from", "ack-timeout",
            "handover-rto-min");

    private enum Mode { SERVING, FORWARDING, STOPPED }

    /** One unit of work for the single thread that owns the state. */
    private sealed interface Work {
    }

    private record Datagram(byte[] payload, int length, InetSocketAddress source) implements Work {
    }

    private record HandoverRequest() implements Work {
    }

    /** Ends {@link #process()}: only the warm-up's instances ever stop this way. */
    private record Quit() implements Work {
    }

    private final PrintStream out;
    private final PrintStream events;
    private final DatagramSocket socket;
    private final BlockingQueue<Work> work = new LinkedBlockingQueue<>();
    private final Object lock = new Object();
    private final int ackTimeoutMillis;
    private final Duration handoverRtoMin;
    private CounterState state = new CounterState();
    private final Object successorChanged = new Object();
    private volatile StateChannel successor;
    private volatile ServerSocket handoverServer;
    /** Accepted connections still waiting for their hello: a shut-down instance closes them at once. */
    private final Set<Socket> awaitingHello = ConcurrentHashMap.newKeySet();
    private volatile Socket connecting;
    private volatile FileChannel commands;
    private volatile boolean shutDown;
    private volatile CompletableFuture<Boolean> acknowledged;
    private Mode mode = Mode.SERVING;

    /** {@code handoverRtoMin} zero leaves the kernel's minimum retransmission timeout on the handover channel. */
    CounterService(DatagramSocket socket, int ackTimeoutMillis, Duration handoverRtoMin, PrintStream out,
            PrintStream events) {
        this.socket = socket;
        this.ackTimeoutMillis = ackTimeoutMillis;
        this.handoverRtoMin = handoverRtoMin;
        this.out = out;
        this.events = events;
    }

    public static void main(String[] argv) throws Exception {
        AppArgs.runMain(CounterService::run, argv);
    }

    private static void run(String[] argv) throws Exception {
        AppArgs args = AppArgs.parse("counter-service", argv, OPTIONS);
        InetSocketAddress listen = args.address("listen", "10.0.0.12:8888");
        int handoverPort = args.port("handover-port", 9999);
        InetSocketAddress stateFrom = args.address("state-from", null);
        int ackTimeout = (int) args.duration("ack-timeout", "10s").toMillis();
        Duration rtoMin = args.duration("handover-rto-min", "5ms");

        // Before the real socket exists: a successor is ready only once it is warm, so the handover, during
        // which nobody is served, runs code that is already loaded and linked.
        CounterServiceWarmUp.run();
        // Bound before anything else: requests sent here while the state is on its way wait in the socket.
        DatagramSocket socket = new DatagramSocket(listen);
        CounterService service = new CounterService(socket, ackTimeout, rtoMin, System.out, System.err);
        service.acceptSuccessors(new InetSocketAddress(handoverPort));
        if (stateFrom != null) {
            service.takeStateFrom(stateFrom);
        } else {
            service.out.println("Counter service on " + hostPort(listen) + ", counter starts at 0");
        }
        service.startReceiving();
        AppEvents.emit(service.events, "serving", "listen", hostPort(listen), "counter", service.state.counter());
        Runtime.getRuntime().addShutdownHook(new Thread(service::onTerminate));
        service.readCommands();
        service.process();
    }

    void startReceiving() {
        Thread.ofPlatform().name("receiver").daemon().start(this::receive);
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** Get-state mode: connect to the old instance (retrying while it is not there yet) and take its state. */
    void takeStateFrom(InetSocketAddress old) throws IOException, InterruptedException {
        StateChannel channel = OldInstanceConnector.connect(old, OldInstanceConnector.LOOK_WITHIN, socket -> {
            if (shutDown) {
                throw new IOException("shut down while connecting to " + hostPort(old));
            }
            // As on the old instance's side: a lost hello or acknowledgement is resent within milliseconds, and
            // never more than a second apart.
            TcpRetransmitTimeout.trySetBeforeConnect(socket, handoverRtoMin);
        }, socket -> {
            StateChannel c = new StateChannel(socket);
            c.sendHello();
            c.awaitWelcome(OldInstanceConnector.ANSWER_WITHIN_MILLIS);
            return c;
        }, socket -> connecting = socket);
        out.println("Waiting for the state from " + hostPort(old));
        AppEvents.emit(events, "awaiting-state", "from", hostPort(old));
        byte[] bytes = channel.receiveState();
        state = CounterState.decode(bytes);
        channel.acknowledge(bytes);
        // Requests forwarded behind the state are taken in before anything is written about it.
        Thread.ofPlatform().name("forwarded").daemon().start(() -> {
            try (channel) {
                for (StateChannel.Forwarded f; (f = channel.nextForwarded()) != null; ) {
                    work.add(new Datagram(f.payload(), f.payload().length, f.source()));
                }
            } catch (IOException e) {
                // The old instance is gone; nothing more will be forwarded.
            }
        });
        long readyAt = AppEvents.epochNanos(Instant.now()); // all that is left before serving is starting threads
        out.println("Got the state from " + hostPort(old) + ": counter " + state.counter());
        AppEvents.emit(events, "state-received", "bytes", bytes.length, "counter", state.counter(), "at", readyAt);
    }

    /** Listens for successors; returns the address it listens on. */
    InetSocketAddress acceptSuccessors(InetSocketAddress address) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(address);
        handoverServer = server;
        lowerRtoMin(server);
        Thread.ofPlatform().name("handover-listener").daemon().start(() -> {
            while (true) {
                Socket accepted;
                try {
                    accepted = server.accept();
                } catch (IOException e) {
                    return;
                }
                // Each on its own thread: a connection that never says hello must not keep the next one waiting.
                Thread.ofPlatform().name("handover-hello").daemon().start(() -> greet(accepted));
            }
        });
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** A connection on the handover port becomes the successor once it said hello (the newest one wins). */
    private void greet(Socket accepted) {
        awaitingHello.add(accepted);
        StateChannel channel;
        try {
            // Checked after the add: a shutDown() that missed this connection in the set has set the flag.
            if (shutDown) {
                throw new IOException("shut down");
            }
            channel = new StateChannel(accepted);
        } catch (IOException e) {
            awaitingHello.remove(accepted);
            closeQuietly(accepted);
            return;
        }
        try {
            channel.awaitHello(OldInstanceConnector.HELLO_WITHIN_MILLIS);
        } catch (IOException e) {
            channel.close();
            return;
        } finally {
            awaitingHello.remove(accepted);
        }
        StateChannel previous;
        // Under the lock the handover takes: the answer and the new successor come together, so a handover
        // (which the successor's readiness after the answer may bring at once) finds both or neither, and none
        // comes once one has begun (the requests it forwards must reach the successor that took the state).
        synchronized (lock) {
            if (mode != Mode.SERVING || shutDown) {
                channel.close();
                return;
            }
            try {
                channel.welcome();
            } catch (IOException e) {
                channel.close();
                return;
            }
            synchronized (successorChanged) {
                previous = successor;
                successor = channel;
                successorChanged.notifyAll();
            }
        }
        if (previous != null) {
            previous.close();
        }
        AppEvents.emit(events, "successor-connected", "from", channel.peer());
    }

    /**
     * Every successor's connection accepted on {@code server} inherits it. A lost segment of the state would
     * otherwise wait at least 200 ms for its retransmission, on an internal network whose round trip is a few
     * milliseconds.
     */
    private void lowerRtoMin(ServerSocket server) {
        if (handoverRtoMin.isZero()) {
            return;
        }
        try {
            Duration set = TcpRetransmitTimeout.set(server, handoverRtoMin);
            if (!set.equals(handoverRtoMin)) {
                out.println("TCP's minimum retransmission timeout on the handover port is " + set.toMillis()
                        + " ms: the kernel's clock is too coarse for " + handoverRtoMin.toMillis() + " ms");
            }
        } catch (IOException | RuntimeException e) {
            // Either bound may be the one refused (both came with Linux 6.15); the message names which.
            out.println("TCP's retransmission timeouts on the handover port are not all set (" + e.getMessage()
                    + "): a lost state segment may wait 200 ms or more, and longer after each loss");
        }
    }

    /** Waits until a successor has connected and said hello; false when none did within the time. */
    boolean awaitSuccessor(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        synchronized (successorChanged) {
            while (successor == null) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return false;
                }
                successorChanged.wait(left);
            }
            return true;
        }
    }

    /** Asks for the handover, as {@code handover} on standard input does. */
    void requestHandover() {
        work.add(new HandoverRequest());
    }

    /** Stops {@link #process()} and closes every socket: for instances that are not the process's own. */
    void shutDown() {
        shutDown = true;
        work.add(new Quit());
        socket.close();
        closeQuietly(connecting);
        closeQuietly(handoverServer);
        awaitingHello.forEach(CounterService::closeQuietly);
        StateChannel channel = successor;
        if (channel != null) {
            channel.close();
        }
    }

    /**
     * Reads standard input through a channel, not {@code System.in}: a thread blocked in a plain read cannot be
     * woken, and the JVM then waits 300 ms at exit for it to leave native code, which would add that much to
     * every migration's retire phase. Closing the channel wakes it.
     */
    private void readCommands() throws IOException {
        FileChannel channel = FileChannel.open(Path.of("/proc/self/fd/0"), StandardOpenOption.READ);
        commands = channel;
        Thread.ofPlatform().name("commands").daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    switch (line.strip()) {
                        case "handover" -> requestHandover();
                        case "state" -> out.println("counter " + counter());
                        default -> out.println("unknown command '" + line.strip() + "': handover, state");
                    }
                }
            } catch (IOException e) {
                // No more commands.
            }
        });
    }

    private long counter() {
        synchronized (lock) {
            return state.counter();
        }
    }

    private void receive() {
        while (true) {
            byte[] buffer = new byte[2048];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (IOException e) {
                return;
            }
            work.add(new Datagram(buffer, packet.getLength(), (InetSocketAddress) packet.getSocketAddress()));
        }
    }

    void process() throws InterruptedException {
        while (true) {
            Work next = work.take();
            synchronized (lock) {
                switch (next) {
                    case Datagram d -> handle(d);
                    case HandoverRequest h -> handOver();
                    case Quit q -> {
                        return;
                    }
                }
            }
        }
    }

    private void handle(Datagram d) {
        switch (mode) {
            case SERVING -> {
                CounterProtocol.Request request = CounterProtocol.parseRequest(
                        new String(d.payload(), 0, d.length(), StandardCharsets.UTF_8));
                if (request == null) {
                    return;
                }
                String reply = state.answer(request);
                if (reply == null) {
                    return;
                }
                byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
                try {
                    socket.send(new DatagramPacket(bytes, bytes.length, d.source()));
                } catch (IOException e) {
                    out.println("cannot answer " + d.source() + ": " + e.getMessage());
                }
            }
            case FORWARDING -> {
                try {
                    successor.forward(d.payload(), d.length(), d.source());
                } catch (IOException e) {
                    out.println("cannot forward a request to the successor: " + e.getMessage());
                }
            }
            case STOPPED -> {
            }
        }
    }

    /**
     * Called with the lock held: freezes the counter and sends the state. Requests that reach this instance
     * from now on are forwarded right behind the state on the same connection, without waiting for the
     * acknowledgement: the successor reads them only after it has taken the state, so they cost it no extra
     * round trip. Should the acknowledgement not come, this instance serves again (and says so).
     */
    private void handOver() {
        if (mode != Mode.SERVING) {
            return;
        }
        StateChannel channel = successor;
        if (channel == null) {
            out.println("handover asked for, but no successor has connected; still serving");
            AppEvents.emit(events, "handover-failed", "reason", "no-successor");
            return;
        }
        long t0 = System.nanoTime();
        long frozenAt = AppEvents.epochNanos(Instant.now());
        byte[] bytes = state.encode();
        long counter = state.counter();
        try {
            channel.sendState(bytes);
        } catch (IOException e) {
            rollBack(channel, e);
            return;
        }
        mode = Mode.FORWARDING;
        acknowledged = new CompletableFuture<>();
        Thread.ofPlatform().name("handover-ack").daemon().start(() -> {
            try {
                channel.awaitAck(bytes, ackTimeoutMillis);
                out.println("Handed the state over to " + channel.peer() + ": counter " + counter);
                AppEvents.emit(events, "handed-over", "bytes", bytes.length, "counter", counter, "micros",
                        (System.nanoTime() - t0) / 1000, "frozen", frozenAt);
                acknowledged.complete(true);
            } catch (IOException e) {
                synchronized (lock) {
                    if (mode == Mode.FORWARDING) {
                        mode = Mode.SERVING;
                    }
                    rollBack(channel, e);
                }
                acknowledged.complete(false);
            }
        });
    }

    private void rollBack(StateChannel channel, IOException e) {
        out.println("handover to " + channel.peer() + " failed (" + e.getMessage() + "); still serving");
        AppEvents.emit(events, "handover-failed", "reason", "io");
        if (successor == channel) {
            successor = null;
        }
        channel.close();
    }

    /** SIGTERM: hand over if a successor waits and that has not happened yet, then stop. */
    private void onTerminate() {
        synchronized (lock) {
            if (successor != null) {
                handOver();
            }
        }
        // Whatever was handed over must be confirmed before this instance is gone.
        CompletableFuture<Boolean> ack = acknowledged;
        if (ack != null) {
            try {
                ack.get(ackTimeoutMillis, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                out.println("no acknowledgement of the state before exit: " + e);
            }
        }
        StateChannel channel;
        synchronized (lock) {
            mode = Mode.STOPPED; // from here on nothing more is forwarded
            socket.close();
            channel = successor;
        }
        if (channel != null) {
            channel.finish(Math.min(ackTimeoutMillis, 2000)); // delivers the last forwarded requests
        }
        // Threads blocked in system calls must leave them, or the JVM waits 300 ms for them before it exits.
        closeQuietly(handoverServer);
        closeQuietly(commands);
    }

    private static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
