package net.mignet.apps;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import net.mignet.app.AppEvents;
import net.mignet.topo.MigrationMethod;

/**
 * mignet's key-value service: get, put and delete over UDP datagrams and TCP lines ({@link KvProtocol}) on
 * {@code --listen}, every reply carrying a version. It starts with {@code --size} bytes of content spread over
 * {@code --keys} keys (1 KB to 1 GB), and with {@code --write-rate BYTES} overwrites that many bytes a second
 * by itself, so that its state changes even without clients.
 *
 * <p>It migrates by the state-transfer protocol ({@code docs/state-transfer-protocol.md}): started with
 * {@code --state-from OLD:PORT} it takes the content from the running instance, by stop-and-copy, pre-copy or
 * post-copy as mignet tells the old instance on its standard input ({@code transfer pre-copy rounds=3}).
 * Standard input also takes {@code digest} (prints the content's digest as an event) and {@code state}.
 */
public final class KvService {
    /** How it migrates: the state-transfer protocol with the three strategies, on the default state port. */
    public static final MigrationMethod MIGRATION = new MigrationMethod.StateTransfer(
            MigrationMethod.Handover.DEFAULT_PORT, MigrationMethod.StateTransfer.ALL);

    static final Set<String> OPTIONS = Set.of("listen", "handover-port", "state-from", "size", "keys",
            "write-rate", "ack-timeout", "handover-rto-min");

    enum Mode { SERVING, FROZEN, HANDED_OVER }

    /** Where a reply goes. */
    interface Responder {
        void send(String reply);
    }

    sealed interface Work {
    }

    /** A request, with its raw bytes and UDP source for forwarding (null source: it came over TCP). */
    record Request(KvProtocol.Request request, byte[] raw, int length, InetSocketAddress source,
            Responder responder) implements Work {
    }

    record Command(String line) implements Work {
    }

    record Tick() implements Work {
    }

    /** Post-copy: a key the requests parked on has arrived. */
    record KeyArrived(String key) implements Work {
    }

    final Object lock = new Object();
    final PrintStream out;
    final PrintStream events;
    private final DatagramSocket udp;
    private final InetSocketAddress listen;
    private final BlockingQueue<Work> work = new LinkedBlockingQueue<>();
    private final Set<Socket> tcpClients = ConcurrentHashMap.newKeySet();
    private final Map<String, List<Request>> parked = new HashMap<>();
    private final SplittableRandom random = new SplittableRandom(1);
    private volatile ServerSocket tcp;
    private volatile FileChannel commands;
    /** The state port's listener, set by {@link KvSource.Listener}. */
    volatile ServerSocket stateServer;
    KvStore store;
    KvReplyCache cache = new KvReplyCache();
    Mode mode = Mode.SERVING;
    /** The side that takes the state over, while a transfer out is under way or done. */
    KvSource source;
    /** Post-copy, on the successor: the link keys are fetched over until the push completed. */
    KvSuccessor postCopy;
    private int valueLength = 1;
    private long writeBytesPerTick;

    KvService(DatagramSocket udp, InetSocketAddress listen, PrintStream out, PrintStream events) {
        this.udp = udp;
        this.listen = listen;
        this.out = out;
        this.events = events;
    }

    public static void main(String[] argv) throws Exception {
        AppArgs.runMain(KvService::run, argv);
    }

    private static void run(String[] argv) throws Exception {
        AppArgs args = AppArgs.parse("kv-service", argv, OPTIONS);
        InetSocketAddress listen = args.address("listen", "10.0.0.12:8888");
        int statePort = args.port("handover-port", MigrationMethod.Handover.DEFAULT_PORT);
        InetSocketAddress stateFrom = args.address("state-from", null);
        long size = size(args, "size", "1MB");
        if (size > 1L << 30) {
            throw new AppArgs.UsageError("kv-service: --size " + args.get("size", "") + " is above 1GB");
        }
        long keys = args.number("keys", Math.max(1, Math.min(65_536, size / 1024)));
        if (keys < 1 || keys > 4_000_000 || size / keys > KvProtocol.MAX_VALUE) {
            throw new AppArgs.UsageError("kv-service: --keys " + keys + " must be 1 to 4000000 and leave values"
                    + " of at most " + KvProtocol.MAX_VALUE + " bytes (--size / --keys)");
        }
        long writeRate = size(args, "write-rate", "0");
        int ackTimeout = (int) args.duration("ack-timeout", "30s").toMillis();
        Duration rtoMin = args.duration("handover-rto-min", "5ms");

        // Before the real socket exists: a successor is ready only once it is warm (see KvWarmUp).
        KvWarmUp.run();
        DatagramSocket udp = new DatagramSocket(listen); // first: requests that come early wait in it
        udp.setReceiveBufferSize(4 << 20);
        KvService service = new KvService(udp, listen, System.out, System.err);
        service.valueLength = (int) Math.max(1, size / keys);
        service.writeBytesPerTick = writeRate / 100;
        service.openTcp();
        KvSource.Listener successors = new KvSource.Listener(service, ackTimeout, rtoMin);
        successors.listen(new InetSocketAddress(statePort));
        // Receiving before the state is here: requests wait in the queue, and serving starts the moment it is.
        Thread.ofPlatform().name("udp").daemon().start(service::receiveUdp);
        // Before the state comes, so that the successor starts serving the moment it has it.
        service.readCommands();
        Runtime.getRuntime().addShutdownHook(new Thread(service::onTerminate));
        if (stateFrom != null) {
            service.store = new KvStore();
            new KvSuccessor(service, stateFrom, rtoMin).takeOver(); // starts the writer once it serves
        } else {
            service.store = KvStore.generate(size, (int) keys);
            service.out.println("Key-value service on " + hostPort(listen) + ": " + keys + " keys, "
                    + KvSize.format(size) + " of values");
            AppEvents.emit(service.events, "serving", "listen", hostPort(listen), "keys", keys, "bytes",
                    service.store.valueBytes(), "digest", service.store.digest());
            service.startWriting();
        }
        service.process();
    }

    /** {@code --write-rate}: from now on the service overwrites keys by itself. */
    void startWriting() {
        if (writeBytesPerTick > 0) {
            Thread.ofPlatform().name("writer").daemon().start(this::tick);
        }
    }

    private static long size(AppArgs args, String key, String fallback) {
        try {
            return KvSize.parse(args.get(key, fallback));
        } catch (IllegalArgumentException e) {
            throw new AppArgs.UsageError("kv-service: --" + key + " " + e.getMessage());
        }
    }

    static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    void enqueue(Work w) {
        work.add(w);
    }

    /** The state thread: every request, command and tick, one at a time under the lock. */
    void process() throws InterruptedException {
        while (true) {
            Work next = work.take();
            // instanceof, not a pattern switch: a pattern switch links itself the first time it runs, for about a
            // millisecond, and a successor runs this for the first time with the client's requests waiting.
            KvSource forwardTo = null;
            synchronized (lock) {
                if (next instanceof Request r) {
                    if (mode == Mode.SERVING) {
                        answer(r);
                    } else {
                        forwardTo = source;
                    }
                } else if (next instanceof Command c) {
                    command(c.line());
                } else if (next instanceof Tick) {
                    writeBySelf();
                } else if (next instanceof KeyArrived k) {
                    List<Request> waiting = parked.remove(k.key());
                    if (waiting != null) {
                        for (Request r : waiting) {
                            handle(r);
                        }
                    }
                }
            }
            // Forwarded outside the lock: the write takes a while, and the transfer thread needs the lock meanwhile.
            if (forwardTo != null && next instanceof Request r && r.source() != null) {
                forwardTo.forward(r.raw(), r.length(), r.source());
            }
        }
    }

    void handle(Request r) {
        switch (mode) {
            case SERVING -> answer(r);
            case FROZEN, HANDED_OVER -> {
                if (r.source() != null) {
                    source.forward(r.raw(), r.length(), r.source());
                }
            }
        }
    }

    private void answer(Request r) {
        KvProtocol.Request q = r.request();
        if (q.op().writes()) {
            String cached = cache.lookup(q.client(), q.seq());
            if (cached != null) {
                if (!cached.equals(KvReplyCache.STALE)) {
                    r.responder().send(cached);
                }
                return;
            }
        }
        // A put's reply does not depend on what the key held: it need not wait for the key to arrive.
        if (postCopy != null && q.op() != KvProtocol.Op.PUT && !store.resolved(q.key())) {
            parked.computeIfAbsent(q.key(), k -> {
                postCopy.fetch(k);
                return new ArrayList<>();
            }).add(r);
            return;
        }
        KvProtocol.Reply reply = switch (q.op()) {
            case GET -> {
                KvStore.Entry e = store.get(q.key());
                yield e == null ? reply(q, "missing", store.version(), null)
                        : reply(q, "ok", e.version(), new String(KvValues.toArray(e.value()),
                        StandardCharsets.ISO_8859_1));
            }
            case PUT -> {
                byte[] v = q.value().getBytes(StandardCharsets.ISO_8859_1);
                yield reply(q, "ok", store.put(q.key(), v, 0, v.length), null);
            }
            case DELETE -> {
                long version = store.delete(q.key());
                yield version < 0 ? reply(q, "missing", store.version(), null) : reply(q, "ok", version, null);
            }
        };
        String text = reply.encode();
        if (!q.op().writes()) {
            r.responder().send(text);
            return;
        }
        cache.remember(q.client(), q.seq(), text);
        if (postCopy != null) {
            KvStore.Entry e = store.entry(q.key());
            byte[] value = e == null || e.value() == null ? null : KvValues.toArray(e.value());
            long version = e == null ? reply.version() : e.version();
            postCopy.mirror(new KvStateLink.Item(q.key(), version, value), q.client(), q.seq(), text,
                    () -> r.responder().send(text));
        } else {
            r.responder().send(text);
        }
    }

    private static KvProtocol.Reply reply(KvProtocol.Request q, String result, long version, String value) {
        return new KvProtocol.Reply(q.client(), q.seq(), result, version, value);
    }

    /** Post-copy, under the lock: a key arrived; requests waiting for it are handled next. */
    void arrived(String key) {
        if (parked.containsKey(key)) {
            enqueue(new KeyArrived(key));
        }
    }

    /** Post-copy has fetched everything: parked requests are answered, unknown keys are simply absent. */
    void postCopyComplete() {
        postCopy = null;
        store.keepTombstones(false);
        new ArrayList<>(parked.keySet()).forEach(k -> enqueue(new KeyArrived(k)));
    }

    /**
     * Stops serving: UDP requests from now on are forwarded, TCP requests go unanswered until
     * {@link #disconnectTcp} makes their clients reconnect (to the successor, in time).
     */
    void freeze() {
        mode = Mode.FROZEN;
    }

    /** After the freeze, once the content is under way: TCP clients reconnect, new ones are refused. */
    void disconnectTcp() {
        closeQuietly(tcp);
        for (Socket s : tcpClients) {
            closeQuietly(s);
        }
    }

    /** Serves again after a failed transfer, with the state it has. */
    void resume() {
        mode = Mode.SERVING;
        source = null;
        if (tcp == null || tcp.isClosed()) {
            try {
                openTcp();
            } catch (IOException e) {
                out.println("cannot listen on TCP " + hostPort(listen) + " again: " + e.getMessage());
            }
        }
    }

    private void command(String line) {
        String[] words = line.strip().split("\\s+");
        switch (words[0]) {
            case "transfer" -> KvSource.start(this, words);
            case "digest" -> AppEvents.emit(events, "digest", "entries", store.size(), "version", store.version(),
                    "digest", store.digest(), "bytes", store.valueBytes());
            case "state" -> out.println(store.size() + " keys, " + store.valueBytes() + " bytes of values, version "
                    + store.version() + ", digest " + store.digest() + ", " + mode);
            case "" -> {
            }
            default -> out.println("unknown command '" + line.strip() + "': transfer STRATEGY [rounds=N]"
                    + " [until-delta=BYTES], digest, state");
        }
    }

    /** {@code --write-rate}: overwrites keys by itself, only while it serves with the whole content here. */
    private void writeBySelf() {
        if (mode != Mode.SERVING || postCopy != null) {
            return;
        }
        long keys = Math.max(1, store.size());
        for (long written = 0; written < writeBytesPerTick; written += valueLength) {
            String key = KvStore.key(random.nextLong(keys));
            byte[] v = KvStore.initialValue(store.version() + 1, valueLength);
            store.put(key, v, 0, v.length);
        }
    }

    private void tick() {
        long next = System.nanoTime();
        while (true) {
            next += 10_000_000;
            try {
                Thread.sleep(Duration.ofNanos(Math.max(0, next - System.nanoTime())));
            } catch (InterruptedException e) {
                return;
            }
            enqueue(new Tick());
        }
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
            // A copy of its own size: requests queue up here for the whole of a long transfer.
            byte[] raw = java.util.Arrays.copyOf(buffer, packet.getLength());
            KvProtocol.Request q = KvProtocol.parseRequest(raw, raw.length);
            if (q != null) {
                InetSocketAddress from = (InetSocketAddress) packet.getSocketAddress();
                enqueue(new Request(q, raw, raw.length, from, reply -> sendUdp(reply, from)));
            }
        }
    }

    /** A request forwarded by the old instance, answered from this instance's service socket. */
    void forwarded(byte[] payload, InetSocketAddress from) {
        KvProtocol.Request q = KvProtocol.parseRequest(payload, payload.length);
        if (q != null) {
            enqueue(new Request(q, payload, payload.length, from, reply -> sendUdp(reply, from)));
        }
    }

    private void sendUdp(String reply, InetSocketAddress to) {
        byte[] b = reply.getBytes(StandardCharsets.ISO_8859_1);
        try {
            udp.send(new DatagramPacket(b, b.length, to));
        } catch (IOException e) {
            out.println("cannot answer " + to + ": " + e.getMessage());
        }
    }

    private void openTcp() throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(listen);
        tcp = server;
        Thread.ofPlatform().name("tcp").daemon().start(() -> {
            while (true) {
                Socket s;
                try {
                    s = server.accept();
                } catch (IOException e) {
                    return;
                }
                tcpClients.add(s);
                Thread.ofPlatform().name("tcp-client").daemon().start(() -> serveTcp(s));
            }
        });
    }

    private void serveTcp(Socket s) {
        try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                StandardCharsets.ISO_8859_1))) {
            s.setTcpNoDelay(true);
            OutputStream o = s.getOutputStream();
            Responder responder = reply -> {
                synchronized (o) {
                    try {
                        o.write((reply + "\n").getBytes(StandardCharsets.ISO_8859_1));
                    } catch (IOException e) {
                        closeQuietly(s);
                    }
                }
            };
            for (String line; (line = in.readLine()) != null; ) {
                byte[] raw = line.getBytes(StandardCharsets.ISO_8859_1);
                KvProtocol.Request q = KvProtocol.parseRequest(raw, raw.length);
                if (q != null) {
                    enqueue(new Request(q, raw, raw.length, null, responder));
                }
            }
        } catch (IOException e) {
            // the client went away, or the instance froze
        } finally {
            tcpClients.remove(s);
        }
    }

    private void readCommands() throws IOException {
        FileChannel channel = FileChannel.open(Path.of("/proc/self/fd/0"), StandardOpenOption.READ);
        commands = channel;
        Thread.ofPlatform().name("commands").daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    enqueue(new Command(line));
                }
            } catch (IOException e) {
                // no more commands
            }
        });
    }

    /** SIGTERM: a transfer under way finishes (or fails) first; forwarded requests are delivered. */
    private void onTerminate() {
        KvSource s;
        synchronized (lock) {
            s = source;
        }
        if (s != null) {
            s.finish();
        }
        // Threads blocked in system calls must leave them, or the JVM waits 300 ms for them before it exits.
        closeQuietly(tcp);
        udp.close();
        closeQuietly(commands);
        closeQuietly(stateServer);
        if (s != null) {
            AppEvents.emit(events, "forwarded", "count", s.forwarded()); // mignet reports how many
        }
    }

    static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }
}
