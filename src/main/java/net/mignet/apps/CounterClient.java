package net.mignet.apps;

import net.mignet.app.AppEvents;
import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The scenario's client: every interval it asks the counter service for the counter and prints
 * {@code Current counter: N}. Unlike the original, it never hangs on a lost datagram: it retries the same
 * request (same id, so the service does not count it twice) after a timeout that adapts to the round trip it
 * measures, like TCP's. Per request it also prints an event with the first send time, the reply time and the
 * retries, from which downtime is computed.
 */
public final class CounterClient {
    /** What the client prints per reply, before the counter: the original client's words. */
    private static final String REPLY_LINE = "Current counter: ";

    static final Set<String> OPTIONS = Set.of("server", "interval", "timeout", "count", "id", "plain");
    private static final Duration MIN_TIMEOUT = Duration.ofMillis(2);
    private static final Duration MAX_TIMEOUT = Duration.ofSeconds(1);

    private final DatagramSocket socket;
    private final InetSocketAddress server;
    private final String id;
    private final PrintStream out = System.out;
    private final PrintStream events = System.err;
    private final Duration fixedTimeout;
    private final RetryTimer timer;

    private CounterClient(DatagramSocket socket, InetSocketAddress server, String id, Duration fixedTimeout) {
        this.socket = socket;
        this.server = server;
        this.id = id;
        this.fixedTimeout = fixedTimeout;
        this.timer = new RetryTimer(MIN_TIMEOUT, MAX_TIMEOUT, Duration.ofMillis(200));
    }

    /** The counter a reply line of this client carries; empty for any other line. */
    public static OptionalLong counterIn(String line) {
        if (!line.startsWith(REPLY_LINE)) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(line.substring(REPLY_LINE.length()).trim()));
    }

    public static void main(String[] argv) throws Exception {
        AppArgs.runMain(CounterClient::run, argv);
    }

    private static void run(String[] argv) throws Exception {
        AppArgs args = AppArgs.parse("counter-client", argv, OPTIONS);
        InetSocketAddress server = args.address("server", "10.0.0.12:8888");
        Duration interval = args.duration("interval", "1s");
        String timeout = args.get("timeout", "auto");
        long count = args.number("count", Long.MAX_VALUE);
        // --plain yes: the original example's request without an id, for services that know no other; a retry
        // then cannot be told from a new request, so give such a client a long --timeout.
        boolean plain = args.get("plain", "no").equals("yes");
        String id = plain ? null : args.get("id", "c" + ProcessHandle.current().pid());
        Duration fixed = timeout.equals("auto") ? null : args.duration("timeout", timeout);
        try (DatagramSocket socket = new DatagramSocket()) {
            new CounterClient(socket, server, id, fixed).run(interval, count);
        }
    }

    private void run(Duration interval, long count) throws IOException, InterruptedException {
        long next = System.nanoTime();
        for (long seq = 1; seq <= count; seq++) {
            ask(seq);
            next += interval.toNanos();
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(Duration.ofNanos(wait));
            } else {
                next = System.nanoTime(); // a slow reply pushes the schedule back instead of bursting
            }
        }
    }

    /**
     * Sends one try. While the host's own link is down its route is gone and the kernel refuses the datagram at
     * once (ENETUNREACH): that try counts as lost, like one dropped on the way, and is retried after the timeout.
     */
    private void send(byte[] request) throws IOException {
        try {
            socket.send(new DatagramPacket(request, request.length, server));
        } catch (java.net.SocketException e) {
            // lost; the retry timer sends it again
        }
    }

    /** Sends request {@code seq} until it is answered; prints the reply and its timing. */
    private void ask(long seq) throws IOException {
        byte[] request = new CounterProtocol.Request(id, seq).encode().getBytes(StandardCharsets.UTF_8);
        byte[] buffer = new byte[512];
        Instant firstSent = Instant.now();
        long sentNanos = System.nanoTime();
        int retries = 0;
        send(request);
        while (true) {
            Duration timeout = fixedTimeout != null ? fixedTimeout : timer.timeout();
            long deadline = System.nanoTime() + timeout.toNanos();
            CounterProtocol.Reply reply = null;
            while (reply == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                socket.setSoTimeout((int) Math.max(1, (left + 999_999) / 1_000_000));
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    break;
                }
                CounterProtocol.Reply r = CounterProtocol.parseReply(
                        new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8));
                if (r != null && (id == null ? r.client() == null : id.equals(r.client()) && r.seq() == seq)) {
                    reply = r; // anything else is a late answer to an earlier try, already counted
                }
            }
            if (reply != null) {
                Instant replied = Instant.now();
                if (retries == 0) {
                    timer.sample(Duration.ofNanos(System.nanoTime() - sentNanos));
                }
                out.println(REPLY_LINE + reply.counter());
                out.flush();
                AppEvents.emit(events, "reply", "seq", seq, "counter", reply.counter(), "sent",
                        AppEvents.epochNanos(firstSent), "replied", AppEvents.epochNanos(replied), "retries", retries);
                return;
            }
            retries++;
            timer.backOff();
            if (retries % 10 == 0) {
                out.println("No reply to request " + seq + " after " + retries + " tries; still trying");
            }
            send(request);
        }
    }
}
