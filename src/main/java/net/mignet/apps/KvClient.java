package net.mignet.apps;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import net.mignet.app.AppEvents;

/**
 * The key-value service's load client: sends {@code --rate} requests a second in the {@code --mix} of gets, puts
 * and deletes over {@code --keys} keys, by UDP or TCP, many in flight at once, and records every request as a
 * {@link KvRequestRecord} CSV line ({@code --record FILE}, or standard output). It never hangs: a request not
 * answered in time is sent again after a timeout that follows the measured round trip ({@link RetryTimer}),
 * and given up after {@code --give-up} (recorded as {@code lost}). Per answer it also prints a {@code reply}
 * event, as the counter client does, from which mignet computes the client's downtime during a migration.
 * {@code stop} on standard input ends it like {@code --count}: nothing new is sent, what is in flight is
 * finished and recorded.
 */
public final class KvClient {
    static final Set<String> OPTIONS = Set.of("server", "transport", "rate", "mix", "keys", "value-size", "count",
            "duration", "id", "record", "give-up", "window", "seed");
    private static final Duration MIN_TIMEOUT = Duration.ofMillis(2);
    private static final Duration MAX_TIMEOUT = Duration.ofSeconds(1);

    /** A request in flight. */
    private static final class Pending {
        final KvProtocol.Request request;
        final byte[] bytes;
        final long firstSent = AppEvents.epochNanos(Instant.now());
        final long firstSentNanos = System.nanoTime();
        long lastSentNanos = firstSentNanos;
        long deadlineNanos;
        int retries;

        Pending(KvProtocol.Request request) {
            this.request = request;
            this.bytes = (request.encode() + "\n").getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    private final String id;
    private final InetSocketAddress server;
    private final boolean tcp;
    private final PrintStream record;
    private final PrintStream events = System.err;
    private final RetryTimer timer = new RetryTimer(MIN_TIMEOUT, MAX_TIMEOUT, Duration.ofMillis(200));
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final long giveUpNanos;
    private DatagramSocket udp;
    private volatile Socket connection;
    /** {@code stop} on standard input: send nothing new, finish what is in flight, exit. */
    private volatile boolean stopRequested;
    private long answered;
    private long lost;
    private long retries;

    private KvClient(String id, InetSocketAddress server, boolean tcp, PrintStream record, Duration giveUp) {
        this.id = id;
        this.server = server;
        this.tcp = tcp;
        this.record = record;
        this.giveUpNanos = giveUp.toNanos();
    }

    /** The value a client writes with request {@code seq}: a test recomputes it from the record. */
    public static String valueFor(String client, long seq, int size) {
        StringBuilder sb = new StringBuilder(size).append(client).append('-').append(seq).append('-');
        while (sb.length() < size) {
            sb.append((char) ('a' + sb.length() % 26));
        }
        return sb.substring(0, Math.max(1, size));
    }

    public static void main(String[] argv) throws Exception {
        AppArgs.runMain(KvClient::run, argv);
    }

    private static void run(String[] argv) throws Exception {
        AppArgs args = AppArgs.parse("kv-client", argv, OPTIONS);
        InetSocketAddress server = args.address("server", "10.0.0.12:8888");
        String transport = args.get("transport", "udp");
        if (!transport.equals("udp") && !transport.equals("tcp")) {
            throw new AppArgs.UsageError("kv-client: --transport " + transport + ": udp or tcp");
        }
        long rate = args.number("rate", 100);
        long keys = args.number("keys", 1000);
        long valueSize = args.number("value-size", 100);
        long window = args.number("window", 256);
        if (rate < 1 || rate > 100_000 || keys < 1 || valueSize < 1 || valueSize > KvProtocol.MAX_VALUE
                || window < 1 || window > KvReplyCache.WINDOW) {
            throw new AppArgs.UsageError("kv-client: --rate 1-100000, --keys at least 1, --value-size 1-"
                    + KvProtocol.MAX_VALUE + ", --window 1-" + KvReplyCache.WINDOW);
        }
        KvMix mix;
        try {
            mix = KvMix.parse(args.get("mix", "get=50,put=40,delete=10"));
        } catch (IllegalArgumentException e) {
            throw new AppArgs.UsageError("kv-client: --mix: " + e.getMessage());
        }
        long count = args.number("count", Long.MAX_VALUE);
        Duration duration = args.has("duration") ? args.duration("duration", "1s") : null;
        String id = args.get("id", "kv" + ProcessHandle.current().pid());
        String file = args.get("record", "-");
        PrintStream record = file.equals("-") ? System.out
                : new PrintStream(Files.newOutputStream(Path.of(file)), true, StandardCharsets.UTF_8);
        KvClient client = new KvClient(id, server, transport.equals("tcp"), record,
                args.duration("give-up", "30s"));
        record.println(KvRequestRecord.HEADER);
        client.open();
        client.readCommands();
        long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        client.send(rate, mix, keys, (int) valueSize, (int) window, count, end,
                new SplittableRandom(args.number("seed", ProcessHandle.current().pid())));
        AppEvents.emit(client.events, "done", "answered", client.answered, "lost", client.lost, "retries",
                client.retries);
        record.flush();
        System.exit(0);
    }

    private void readCommands() {
        Thread.ofPlatform().name("commands").daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.strip().equals("stop")) {
                        stopRequested = true;
                    }
                }
            } catch (IOException e) {
                // no more commands
            }
        });
    }

    private void open() throws IOException {
        if (tcp) {
            connect();
        } else {
            udp = new DatagramSocket();
            udp.setReceiveBufferSize(4 << 20);
            Thread.ofPlatform().name("receiver").daemon().start(this::receiveUdp);
        }
    }

    /** Sends at the rate until {@code count} requests or the end, then waits for those in flight. */
    private void send(long rate, KvMix mix, long keys, int valueSize, int window, long count, long end,
            SplittableRandom random) {
        long interval = 1_000_000_000L / rate;
        long next = System.nanoTime();
        long seq = 0;
        while (true) {
            long now = System.nanoTime();
            boolean more = seq < count && now < end && !stopRequested;
            if (!more && pending.isEmpty()) {
                return;
            }
            if (more && now >= next && pending.size() < window) {
                seq++;
                KvProtocol.Op op = mix.pick(random);
                String key = KvStore.key(random.nextLong(keys));
                Pending p = new Pending(new KvProtocol.Request(id, seq, op, key,
                        op == KvProtocol.Op.PUT ? valueFor(id, seq, valueSize) : null));
                synchronized (this) {
                    p.deadlineNanos = now + timer.timeout().toNanos();
                }
                pending.put(seq, p);
                transmit(p);
                next += interval;
                if (next < now - interval * 100) {
                    next = now; // far behind (a long wait for the window): do not burst to catch up
                }
                continue;
            }
            retryOverdue(now);
            long wait = Math.min(1_000_000, Math.max(0, more ? next - now : 1_000_000));
            LockSupport.parkNanos(Math.max(50_000, wait));
        }
    }

    private void retryOverdue(long now) {
        for (Pending p : pending.values()) {
            synchronized (this) {
                if (now < p.deadlineNanos || !pending.containsKey(p.request.seq())) {
                    continue;
                }
                if (now - p.firstSentNanos > giveUpNanos) {
                    pending.remove(p.request.seq());
                    lost++;
                    record.println(new KvRequestRecord(id, p.request.seq(), p.request.op(), p.request.key(),
                            p.firstSent, KvRequestRecord.NONE, "lost", KvRequestRecord.NONE, p.retries).toCsv());
                    continue;
                }
                // Backs off per request: one shared timer doubled by every request that timed out together
                // would grow to its maximum within a single short pause of the service.
                p.retries++;
                retries++;
                p.lastSentNanos = now;
                p.deadlineNanos = now + Math.min(MAX_TIMEOUT.toNanos(),
                        timer.timeout().toNanos() << Math.min(p.retries, 20));
            }
            transmit(p);
        }
    }

    private void transmit(Pending p) {
        try {
            if (tcp) {
                Socket s = connection;
                if (s == null || s.isClosed()) {
                    return; // connect() resends everything in flight
                }
                OutputStream o = s.getOutputStream();
                synchronized (s) {
                    o.write(p.bytes);
                }
            } else {
                udp.send(new DatagramPacket(p.bytes, p.bytes.length - 1, server));
            }
        } catch (IOException e) {
            // lost like a datagram: the retry timer sends it again
        }
    }

    private void answer(String text) {
        KvProtocol.Reply r = KvProtocol.parseReply(text);
        if (r == null || !id.equals(r.client())) {
            return;
        }
        long replied = AppEvents.epochNanos(Instant.now());
        long nanos = System.nanoTime();
        Pending p;
        synchronized (this) {
            p = pending.remove(r.seq());
            if (p == null) {
                return; // an answer to an earlier try, already counted
            }
            if (p.retries == 0) {
                timer.sample(Duration.ofNanos(nanos - p.lastSentNanos));
            }
            answered++;
            record.println(new KvRequestRecord(id, r.seq(), p.request.op(), p.request.key(), p.firstSent, replied,
                    r.result(), r.version(), p.retries).toCsv());
        }
        AppEvents.emit(events, "reply", "seq", r.seq(), "counter", r.version(), "sent", p.firstSent, "replied",
                replied, "retries", p.retries);
    }

    private void receiveUdp() {
        byte[] buffer = new byte[65_536];
        while (true) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                udp.receive(packet);
            } catch (IOException e) {
                return;
            }
            answer(new String(buffer, 0, packet.getLength(), StandardCharsets.ISO_8859_1));
        }
    }

    /** TCP: (re)connects, resends everything in flight, and reads replies until the connection breaks. */
    private void connect() {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(server, 1000);
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // not connected anyway
            }
            Thread.ofPlatform().daemon().start(() -> {
                LockSupport.parkNanos(20_000_000);
                connect();
            });
            return;
        }
        connection = s;
        pending.values().forEach(this::transmit);
        Thread.ofPlatform().name("tcp-receiver").daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                    StandardCharsets.ISO_8859_1))) {
                for (String line; (line = in.readLine()) != null; ) {
                    answer(line);
                }
            } catch (IOException e) {
                // broken: reconnect below
            }
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
            connect();
        });
    }
}
