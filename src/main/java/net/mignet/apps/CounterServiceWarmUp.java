package net.mignet.apps;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the counter service's real handover a few times on loopback, between quiet instances that nobody else
 * sees, before the service opens its own socket. A fresh JVM pays for class loading, interpretation and the
 * linking of each {@code switch} over types (about 5 ms each time) the first time a code path runs; without
 * this, the successor would pay it on the first requests after the handover, which is exactly when the
 * client is waiting.
 */
final class CounterServiceWarmUp {
    private static final int ACK_TIMEOUT_MILLIS = 2000;
    private static final int REPLY_TIMEOUT_MILLIS = 1000;
    private static final int REQUESTS_PER_STEP = 3;
    private static final String CLIENT_ID = "warm-up";

    private final PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    private final InetAddress loopback = InetAddress.getLoopbackAddress();
    private final List<Long> counters = new ArrayList<>();
    private DatagramSocket client;
    private long seq;

    private CounterServiceWarmUp() {
    }

    /** Warms up; a failure (no loopback in this host, say) only means the first requests are served slower. */
    static void run() {
        try {
            handOverOnLoopback(2);
        } catch (IOException | RuntimeException e) {
            // Nothing to repair: the real service does not depend on any of this.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts an instance, then {@code handovers} times starts a successor that takes the state from the
     * current instance while requests keep coming (to the old instance, which forwards them, then to the new
     * one). Returns the counters of all replies, in order.
     */
    static List<Long> handOverOnLoopback(int handovers) throws IOException, InterruptedException {
        CounterServiceWarmUp w = new CounterServiceWarmUp();
        try (DatagramSocket c = new DatagramSocket(new InetSocketAddress(w.loopback, 0))) {
            c.setSoTimeout(REPLY_TIMEOUT_MILLIS);
            w.client = c;
            w.handOver(handovers);
        }
        return List.copyOf(w.counters);
    }

    private void handOver(int handovers) throws IOException, InterruptedException {
        Instance current = start(null);
        try {
            ask(current, REQUESTS_PER_STEP);
            for (int i = 0; i < handovers; i++) {
                Instance next = start(current.handoverAddress());
                try {
                    if (!current.service().awaitSuccessor(ACK_TIMEOUT_MILLIS)) {
                        throw new IOException("the warm-up successor did not connect");
                    }
                    current.service().requestHandover();
                    ask(current, REQUESTS_PER_STEP); // forwarded to the successor
                    ask(next, REQUESTS_PER_STEP);
                } catch (IOException | RuntimeException | InterruptedException e) {
                    next.service().shutDown();
                    throw e;
                }
                current.service().shutDown();
                current = next;
            }
        } finally {
            current.service().shutDown();
        }
    }

    private record Instance(CounterService service, InetSocketAddress udpAddress, InetSocketAddress handoverAddress) {
    }

    /** A quiet instance on loopback; with {@code stateFrom}, it takes the state from there first. */
    private Instance start(InetSocketAddress stateFrom) throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(loopback, 0));
        CounterService service = new CounterService(socket, ACK_TIMEOUT_MILLIS, Duration.ZERO, quiet, quiet);
        InetSocketAddress handover;
        try {
            handover = service.acceptSuccessors(new InetSocketAddress(loopback, 0));
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        Thread.ofPlatform().name("warm-up-service").daemon().start(() -> {
            try {
                if (stateFrom != null) {
                    service.takeStateFrom(stateFrom);
                }
                service.startReceiving();
                service.process();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // Quietly: the caller's next step times out and ends the warm-up. Nothing may reach the real
                // service's output, which carries its events.
                service.shutDown();
            }
        });
        return new Instance(service, (InetSocketAddress) socket.getLocalSocketAddress(), handover);
    }

    /** Sends {@code n} requests to the instance, one after the other, each answered before the next. */
    private void ask(Instance instance, int n) throws IOException {
        byte[] buffer = new byte[512];
        for (int i = 0; i < n; i++) {
            seq++;
            byte[] request = new CounterProtocol.Request(CLIENT_ID, seq).encode().getBytes(StandardCharsets.UTF_8);
            client.send(new DatagramPacket(request, request.length, instance.udpAddress()));
            CounterProtocol.Reply reply;
            do {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                client.receive(packet); // SocketTimeoutException ends the warm-up
                reply = CounterProtocol.parseReply(new String(packet.getData(), 0, packet.getLength(),
                        StandardCharsets.UTF_8));
            } while (reply == null || reply.seq() != seq);
            counters.add(reply.counter());
        }
    }
}
