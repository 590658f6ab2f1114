package net.mignet.apps;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import net.mignet.app.AppEvents;

/**
 * The old instance's side of a key-value state transfer: it sends the content to the successor by the strategy
 * mignet asked for, forwards requests that reach it after the freeze, and (post-copy) answers the successor's
 * fetches and applies its mirrored writes until the push is complete. Until the successor has acknowledged
 * (post-copy: until it has everything) a failure makes the old instance serve again with its state intact.
 */
final class KvSource {
    private static final int MAX_ROUNDS = 30;
    static final long DEFAULT_UNTIL_DELTA = 64 << 10;
    /**
     * The warm-up of the bulk link: padding in rounds, each acknowledged and twice the previous, up to the state's
     * size but at most {@link #MAX_WARM_UP_BYTES} and {@link #WARM_UP_NANOS}. A new connection sends its first
     * round trip's worth of data at TCP's initial window (ten segments) and doubles it per round trip, and the
     * successor's receive window opens as slowly: a megabyte of content would take four or five round trips
     * more than the link's rate allows, during the freeze. Warmed up while the old instance still serves, the
     * link carries the content at its rate from the first byte (BBR, Linux's default here, keeps the window
     * across the idle time until the transfer; see docs/state-transfer-protocol.md). A state that fits the
     * initial window needs none.
     */
    private static final int FIRST_WARM_UP_ROUND = 64 << 10;
    private static final long MAX_WARM_UP_BYTES = 4 << 20;
    private static final long WARM_UP_NANOS = 200_000_000L;
    /** The first batch of a send; each next one is twice as big, up to {@link KvBatch#TARGET_BYTES}. */
    private static final int FIRST_BATCH_BYTES = 16 << 10;
    /** At most this many keys go in the rehearsal of the first batch (see {@link #prepare}). */
    private static final int FIRST_BATCH_KEYS = 256;

    /** What {@code transfer} asked for. */
    private record Order(char code, int rounds, long untilDelta) {
    }

    private final KvService service;
    private final KvStateLink bulk;
    private final KvStateLink fast;
    private final int ackTimeoutMillis;
    /** Given by {@code transfer}; the transfer thread, started when the successor connected, waits for it. */
    private final CompletableFuture<Order> order = new CompletableFuture<>();
    /** Requests that reached this instance after its freeze and went to the successor. */
    private final AtomicLong forwarded = new AtomicLong();
    private volatile boolean started;
    private volatile boolean complete;
    private volatile boolean postCopy;
    private volatile Thread transfer;
    /**
     * The transfer thread's batch, made beforehand: a new one is a third of a megabyte to allocate and clear, during
     * the freeze.
     */
    private final KvBatch batch = new KvBatch();
    /** The transfer thread's urgency from the freeze to the acknowledgement (see {@link UrgentThread}). */
    private UrgentThread urgent;

    private KvSource(KvService service, KvStateLink bulk, KvStateLink fast, int ackTimeoutMillis) {
        this.service = service;
        this.bulk = bulk;
        this.fast = fast;
        this.ackTimeoutMillis = ackTimeoutMillis;
    }

    /** Accepts successors on the state port: a bulk link, then a fast link, from the same successor. */
    static final class Listener {
        private final KvService service;
        private final int ackTimeoutMillis;
        private final Duration rtoMin;
        private KvStateLink pendingBulk;

        Listener(KvService service, int ackTimeoutMillis, Duration rtoMin) {
            this.service = service;
            this.ackTimeoutMillis = ackTimeoutMillis;
            this.rtoMin = rtoMin;
        }

        void listen(InetSocketAddress address) throws IOException {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(address);
            service.stateServer = server;
            if (!rtoMin.isZero()) {
                try {
                    TcpRetransmitTimeout.set(server, rtoMin);
                } catch (IOException | RuntimeException e) {
                    service.out.println("TCP's retransmission timeouts on the state port are not all set ("
                            + e.getMessage() + ")");
                }
            }
            Thread.ofPlatform().name("state-listener").daemon().start(() -> {
                while (true) {
                    Socket socket;
                    try {
                        socket = server.accept();
                    } catch (IOException e) {
                        return;
                    }
                    // Each on its own thread: a connection that never says hello (a successor's attempt it gave
                    // up on while its close is still lost on the way, or anyone's stray connection) must not keep
                    // the next attempt waiting for its welcome.
                    Thread.ofPlatform().name("state-hello").daemon().start(() -> greet(socket));
                }
            });
        }

        private void greet(Socket socket) {
            KvStateLink link;
            byte kind;
            try {
                link = new KvStateLink(socket);
            } catch (IOException e) {
                OrderlyClose.close(socket);
                return;
            }
            try {
                kind = link.awaitHello(OldInstanceConnector.HELLO_WITHIN_MILLIS);
                accepted(link, kind);
            } catch (IOException e) {
                link.close();
            }
        }

        /**
         * A successor's link that said hello: a bulk link waits for its fast link, which makes the source. Each is
         * answered only once taken: a successor opens its fast link after the bulk link's answer, which must find
         * the bulk link waiting for it.
         */
        private synchronized void accepted(KvStateLink link, byte kind) throws IOException {
            if (kind == KvStateLink.HELLO_BULK) {
                if (pendingBulk != null) {
                    pendingBulk.close();
                }
                pendingBulk = link;
                try {
                    link.welcome();
                } catch (IOException e) {
                    pendingBulk = null;
                    throw e;
                }
                return;
            }
            KvStateLink bulk = pendingBulk;
            pendingBulk = null;
            if (bulk == null) {
                link.close();
                return;
            }
            KvSource previous;
            KvSource next = new KvSource(service, bulk, link, ackTimeoutMillis);
            synchronized (service.lock) {
                previous = service.source;
                if (previous != null && previous.started) {
                    // one transfer at a time: a successor that comes during one is turned away
                    bulk.close();
                    link.close();
                    return;
                }
                service.source = next;
            }
            if (previous != null) {
                previous.close();
            }
            try {
                link.welcome();
            } catch (IOException e) {
                synchronized (service.lock) {
                    if (service.source == next) {
                        service.source = null;
                    }
                }
                next.close();
                throw e;
            }
            Thread.ofPlatform().name("fast-link").daemon().start(next::serveFastLink);
            // Started now, so that starting a thread is not among the steps between the command and the freeze.
            next.transfer = Thread.ofPlatform().name("transfer").daemon().start(next::prepareAndTransfer);
        }
    }

    /** {@code transfer STRATEGY [rounds=N] [until-delta=BYTES]} on standard input; called under the lock. */
    static void start(KvService service, String[] words) {
        KvSource source = service.source;
        if (source == null || service.mode != KvService.Mode.SERVING) {
            service.out.println("transfer asked for, but no successor has connected; still serving");
            AppEvents.emit(service.events, "handover-failed", "reason", "no-successor");
            return;
        }
        if (source.started) {
            return;
        }
        String strategy = words.length > 1 ? words[1] : "stop-and-copy";
        int rounds = 0;
        long untilDelta = DEFAULT_UNTIL_DELTA;
        try {
            for (int i = 2; i < words.length; i++) {
                String w = words[i];
                if (w.startsWith("rounds=")) {
                    rounds = Integer.parseInt(w.substring(7));
                } else if (w.startsWith("until-delta=")) {
                    untilDelta = KvSize.parse(w.substring(12));
                } else {
                    throw new IllegalArgumentException("unknown transfer option '" + w + "'");
                }
            }
        } catch (IllegalArgumentException e) {
            service.out.println("transfer: " + e.getMessage() + "; write transfer STRATEGY [rounds=N]"
                    + " [until-delta=BYTES]");
            AppEvents.emit(service.events, "handover-failed", "reason", "strategy");
            return;
        }
        char code = switch (strategy) {
            case "stop-and-copy" -> 'S';
            case "pre-copy" -> 'P';
            case "post-copy" -> 'Q';
            default -> '?';
        };
        if (code == '?') {
            service.out.println("unknown transfer strategy '" + strategy + "': stop-and-copy, pre-copy, post-copy");
            AppEvents.emit(service.events, "handover-failed", "reason", "strategy");
            return;
        }
        source.started = true;
        source.postCopy = code == 'Q';
        source.order.complete(new Order(code, rounds, untilDelta));
        AppEvents.emit(service.events, "transfer-started", "strategy", strategy, "bytes", service.store.valueBytes());
    }

    /** The transfer thread: warms the bulk link up, says the successor is there, and transfers when told to. */
    private void prepareAndTransfer() {
        try {
            warmUp();
        } catch (IOException e) {
            // Said, so that a migration waiting for the successor shows why it never came.
            service.out.println("the successor at " + bulk.peer() + " is gone during the warm-up: " + e.getMessage());
            close(); // the fast link's reader forgets it
            return;
        }
        AppEvents.emit(service.events, "successor-connected", "from", bulk.peer());
        Order o;
        try {
            o = order.get();
        } catch (InterruptedException | ExecutionException e) {
            return;
        }
        run(o.code(), o.rounds(), o.untilDelta());
    }

    /** See {@link #FIRST_WARM_UP_ROUND}. */
    private void warmUp() throws IOException {
        long target;
        synchronized (service.lock) {
            target = Math.min(MAX_WARM_UP_BYTES, service.store.valueBytes());
        }
        if (target < FIRST_WARM_UP_ROUND) {
            return;
        }
        long deadline = System.nanoTime() + WARM_UP_NANOS;
        bulk.readTimeout(ackTimeoutMillis);
        long sent = 0;
        for (int round = FIRST_WARM_UP_ROUND; sent < target && System.nanoTime() < deadline; round *= 2) {
            int length = (int) Math.min(round, target - sent);
            bulk.warmUp(length);
            KvStateLink.Frame f = bulk.next();
            if (!(f instanceof KvStateLink.WarmUpAck ack) || ack.length() != length) {
                throw new IOException("the successor answered the warm-up with " + f);
            }
            sent += length;
        }
        bulk.readTimeout(0);
    }

    /** Start and end (epoch nanoseconds) of stop-and-copy's announcement of the freeze; null before, or without. */
    private long[] prepared;

    private void run(char code, int rounds, long untilDelta) {
        long t0 = System.nanoTime();
        try {
            // After the freeze, the begin frame goes out in one write with what follows: TCP paces the segments of
            // a burst (BBR), and a final frame written right behind an earlier small write waits for its pacing slot,
            // a kernel timer that fires late on a busy machine.
            long frozenAt = switch (code) {
                case 'P' -> {
                    bulk.begin(code);
                    yield preCopy(rounds, untilDelta);
                }
                case 'S' -> {
                    long prepareStart = AppEvents.epochNanos(Instant.now());
                    prepare();
                    prepared = new long[] {prepareStart, AppEvents.epochNanos(Instant.now())};
                    long content;
                    synchronized (service.lock) {
                        content = service.store.valueBytes();
                    }
                    long at = freeze(content);
                    bulk.begin(code);
                    send(keys(), content);
                    yield at;
                }
                default -> {
                    long at = freeze(0);
                    bulk.begin(code);
                    yield at;
                }
            };
            beUrgent();
            long digest;
            long version;
            byte[] cache;
            synchronized (service.lock) {
                digest = service.store.digest();
                version = service.store.version();
                cache = service.cache.encode();
            }
            long finalSentAt = bulk.fin(version, cache, digest);
            // Only now: closing sockets takes a while, and the content is under way.
            service.disconnectTcp();
            bulk.readTimeout(ackTimeoutMillis);
            KvStateLink.Frame f = bulk.next();
            long ackedAt = AppEvents.epochNanos(Instant.now());
            long micros = (System.nanoTime() - t0) / 1000;
            String urgency = urgent == null ? "none" : urgent.kind();
            calm();
            if (!(f instanceof KvStateLink.Ack ack) || ack.digest() != digest) {
                throw new IOException("the successor answered the state with " + f + ", not its acknowledgement");
            }
            synchronized (service.lock) {
                service.mode = KvService.Mode.HANDED_OVER;
            }
            // Printed only now: on a busy machine writing to a terminal, and mignet reading it, take the CPU from
            // the transfer for milliseconds, all of them paused.
            if (prepared != null) {
                AppEvents.emit(service.events, "prepared", "start", prepared[0], "end", prepared[1]);
            }
            AppEvents.emit(service.events, "frozen", "at", frozenAt);
            AppEvents.emit(service.events, "handed-over", "frozen", frozenAt, "bytes", bulk.bytesSent(), "digest",
                    digest, "version", version, "micros", micros, "sent", finalSentAt, "at", ackedAt, "urgency",
                    urgency);
            service.out.println("Handed the state over to " + bulk.peer() + ": version " + version);
            if (postCopy) {
                send(keys());
                bulk.pushEnd();
                KvStateLink.Frame done = bulk.next();
                if (!(done instanceof KvStateLink.Done)) {
                    throw new IOException("the successor answered the push with " + done + ", not done");
                }
            }
            complete = true;
            AppEvents.emit(service.events, "transfer-complete", "bytes", bulk.bytesSent(), "at",
                    AppEvents.epochNanos(Instant.now()));
        } catch (IOException | RuntimeException e) {
            calm();
            rollBack(e);
        }
    }

    /**
     * Stop-and-copy, just before the freeze: announces it to the successor, which runs its receiving code once on
     * throwaway data and answers (see {@link KvStateLink.Prepare}), then runs this side's part of the freeze once
     * without sending anything: the first batch of content is built and the reply cache encoded, then both are
     * dropped. A migration runs that code once, after seconds of idling, and on this machine's virtual CPUs it is
     * then out of the caches and the processor's page tables: each side took 0.2-0.3 ms longer than a second run
     * right behind the first, all of it with the service paused. While this runs the service still serves.
     */
    private void prepare() throws IOException {
        long valueBytes;
        long values;
        synchronized (service.lock) {
            valueBytes = service.store.valueBytes();
            values = service.store.size();
        }
        bulk.readTimeout(ackTimeoutMillis);
        bulk.prepare(valueBytes, values);
        KvStateLink.Frame f = bulk.next();
        if (!(f instanceof KvStateLink.Ready)) {
            throw new IOException("the successor answered the announcement of the freeze with " + f);
        }
        synchronized (service.lock) {
            // The same call as the freeze's first batch (see send), so that the same code and data are warm.
            service.store.addEntries(service.store.firstKeys(FIRST_BATCH_KEYS).iterator(), batch, FIRST_BATCH_BYTES);
            service.cache.encode();
        }
        batch.clear();
    }

    /**
     * The freeze's urgency: raised on the transfer thread when it freezes, if what it then sends is small enough
     * to take little CPU; else just before the final frame, so that the acknowledgement's reader wakes at once
     * (see {@link UrgentThread#SMALL_CONTENT_BYTES}).
     */
    private void beUrgent() {
        if (urgent == null) {
            urgent = UrgentThread.raise();
        }
    }

    private void calm() {
        if (urgent != null) {
            urgent.close();
            urgent = null;
        }
    }

    /** Snapshot and rounds while serving; freezes for the last small delta. Returns when it froze. */
    private long preCopy(int rounds, long untilDelta) throws IOException {
        List<String> keys;
        synchronized (service.lock) {
            service.store.trackChanges();
            keys = service.store.keys();
        }
        Collection<String> next = keys;
        bulk.readTimeout(ackTimeoutMillis);
        for (int round = 1; ; round++) {
            long start = AppEvents.epochNanos(Instant.now());
            long bytes = send(next);
            bulk.roundEnd(round);
            // Megabytes may still sit in the socket buffers; freezing before the successor has them all would
            // make the service wait for them.
            KvStateLink.Frame ack = bulk.next();
            if (!(ack instanceof KvStateLink.RoundAck r) || r.round() != round) {
                throw new IOException("the successor answered round " + round + " with " + ack);
            }
            AppEvents.emit(service.events, "round", "n", round, "bytes", bytes, "start", start, "end",
                    AppEvents.epochNanos(Instant.now()));
            synchronized (service.lock) {
                Set<String> changed = service.store.takeChanges();
                long delta = service.store.bytesOf(changed);
                boolean last = rounds > 0 ? round >= rounds : delta <= untilDelta || round >= MAX_ROUNDS;
                if (last) {
                    service.store.stopTracking();
                    long at = freeze(delta);
                    send(changed); // frozen: nothing changes while it goes out
                    return at;
                }
                next = changed;
            }
        }
    }

    /**
     * Called with the lock held or not: stops serving, before sending about {@code toSend} bytes of content; returns
     * when (the caller prints it, later).
     */
    private long freeze(long toSend) {
        if (toSend <= UrgentThread.SMALL_CONTENT_BYTES) {
            beUrgent();
        }
        synchronized (service.lock) {
            service.freeze();
            return AppEvents.epochNanos(Instant.now());
        }
    }

    private List<String> keys() {
        synchronized (service.lock) {
            return service.store.keys();
        }
    }

    /** Sends the current entries of these keys (a missing key as a deletion); returns the bytes sent. */
    private long send(Collection<String> keys) throws IOException {
        return send(keys, -1);
    }

    /**
     * The same, for about {@code expected} bytes of values (-1: unknown). The first batches are small and grow: the
     * link starts carrying content as soon as possible, instead of after a whole batch is built (a millisecond at
     * the freeze). Over the last {@link KvBatch#TARGET_BYTES} of a content of known size they shrink again: the
     * successor installs a batch once it has all of it, so what it installs after the last byte arrived is the
     * last batch, half a millisecond for a full one.
     */
    private long send(Collection<String> keys, long expected) throws IOException {
        long total = 0;
        batch.clear();
        int limit = FIRST_BATCH_BYTES;
        java.util.Iterator<String> it = keys.iterator();
        while (it.hasNext()) {
            synchronized (service.lock) {
                service.store.addEntries(it, batch, limit);
            }
            bulk.entries(batch);
            if (it.hasNext()) {
                // On its way now: the link would otherwise wait for the buffer to fill (the first three batches).
                // Not the last one, which goes out with what follows it (see run).
                bulk.flush();
            }
            total += batch.length();
            batch.clear();
            limit = nextBatchBytes(limit, expected < 0 ? -1 : expected - total);
        }
        return total;
    }

    /** The size of the batch after one of {@code limit} bytes, with about {@code left} bytes to go (-1: unknown). */
    static int nextBatchBytes(int limit, long left) {
        int next = Math.min(KvBatch.TARGET_BYTES, limit * 2);
        return left < 0 || left >= 2L * next ? next : (int) Math.max(FIRST_BATCH_BYTES, left / 2);
    }

    /** Under the lock: the key's entry as it goes on the link. */
    private KvStateLink.Item item(String key) {
        KvStore.Entry e = service.store.entry(key);
        return e == null || e.value() == null
                ? new KvStateLink.Item(key, e == null ? service.store.version() : e.version(), null)
                : new KvStateLink.Item(key, e.version(), KvValues.toArray(e.value()));
    }

    /** Fetches and mirrored writes from the successor; its loss before the transfer makes it forgotten. */
    private void serveFastLink() {
        try {
            // instanceof, not a pattern switch, which links itself on its first run: a millisecond the first
            // post-copy fetch would wait.
            for (KvStateLink.Frame f; (f = fast.next()) != null; ) {
                if (f instanceof KvStateLink.Fetch fetch) {
                    KvStateLink.Item item;
                    synchronized (service.lock) {
                        item = item(fetch.key());
                    }
                    fast.value(item);
                } else if (f instanceof KvStateLink.Mirror m) {
                    synchronized (service.lock) {
                        KvStateLink.Item i = m.item();
                        service.store.install(i.key(), i.version(), i.value());
                        service.cache.remember(m.client(), m.seq(), m.reply());
                    }
                    fast.mirrorAck(m.id());
                } else {
                    throw new IOException("unexpected " + f + " from the successor");
                }
            }
        } catch (IOException e) {
            // the successor is gone; the bulk link tells the transfer
        }
        if (!started) {
            synchronized (service.lock) {
                if (service.source == this) {
                    service.source = null;
                }
            }
            AppEvents.emit(service.events, "successor-lost", "reason", "io");
            order.completeExceptionally(new IOException("the successor is gone"));
        }
        bulk.close(); // a transfer blocked on the bulk link learns of it at once
    }

    private void rollBack(Exception e) {
        boolean serving;
        synchronized (service.lock) {
            service.store.stopTracking();
            serving = service.mode == KvService.Mode.SERVING || service.mode == KvService.Mode.FROZEN
                    || postCopy;
            if (serving) {
                service.resume();
            }
        }
        bulk.close();
        fast.close();
        if (serving) {
            service.out.println("transfer to " + bulk.peer() + " failed (" + e.getMessage() + "); still serving");
            AppEvents.emit(service.events, "handover-failed", "reason", "io");
        } else {
            service.out.println("after the handover: " + e.getMessage());
        }
    }

    /** Forwards a request that reached this instance after the freeze. */
    void forward(byte[] raw, int length, InetSocketAddress from) {
        try {
            fast.forward(raw, length, from);
            forwarded.incrementAndGet();
        } catch (IOException e) {
            service.out.println("cannot forward a request to the successor: " + e.getMessage());
        }
    }

    /** Requests forwarded to the successor so far. */
    long forwarded() {
        return forwarded.get();
    }

    /** At exit: waits for a transfer under way, then closes both links in order. */
    void finish() {
        order.completeExceptionally(new IllegalStateException("the service stops")); // none starts from now on
        Thread t = transfer;
        if (t != null && started) {
            try {
                t.join(ackTimeoutMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        fast.finish(2000);
        bulk.finish(500);
    }

    void close() {
        order.completeExceptionally(new IllegalStateException("the successor is gone"));
        bulk.close();
        fast.close();
    }
}
