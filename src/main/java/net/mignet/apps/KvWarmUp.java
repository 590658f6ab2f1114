package net.mignet.apps;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.time.Instant;
import java.util.List;
import net.mignet.app.AppEvents;

/**
 * Runs the key-value service's transfer and request code on small data before the instance serves. Built-in
 * apps run with the client compiler only, and a fresh JVM interprets each path the first few hundred times it
 * runs: without this, a successor would take in a megabyte of state ten times slower than it can, and answer its
 * first requests slowly, exactly while the client waits. Costs about a hundred milliseconds at start.
 */
final class KvWarmUp {
    private static final int ROUNDS = 300;
    /**
     * Calls that make the client compiler compile a method (about 200 invocations; a loop alone takes tens of
     * thousands of iterations): the handover's code runs once per migration, and interpreted, its frames and the
     * reply cache cost a few hundred microseconds more in the freeze.
     */
    private static final int COMPILED = 250;
    /**
     * Calls that surely make the client compiler compile a method that a migration calls once per batch: the
     * interpreter reports a method's calls to the compilation policy only every 128 calls, and the policy raises
     * its threshold (200) in proportion to its queue, which is long at start. With 250 calls the batch loops were
     * still interpreted in the first freeze and compiled during it; with 1 100, at a load of 7 on 2 cores, too.
     */
    private static final int HOT = 2_000;

    private KvWarmUp() {
    }

    /** Warms up; a failure (no loopback in this host, say) only means the first transfer is slower. */
    static void run() {
        try {
            // The parts whose first run loads classes go first, the content's copying code last. Compiled code is
            // specialised for the classes loaded so far; loading another implementation of one (a heap memory
            // segment beside the native ones, which the request path makes; a confined or implicit arena beside the
            // global one, which the urgency's native calls make) throws it away. In the other order the batch and
            // store code compiled here was discarded again before the service started, and the first freeze ran
            // it interpreted and compiled it anew: at 1 MB, milliseconds of both sides' time in the pause.
            urgency();
            KvHeapReserve.reserve(0, 0); // its native call is linked now, not in the announcement of a freeze
            requests();
            replyCache();
            link();
            content();
            // The warm-up's garbage fills the young generation; collected now, at start, instead of by the first
            // allocation of the handover, whose real-time thread would then wait for the collector (an ordinary
            // thread, and slow to get a core on a busy machine).
            System.gc();
        } catch (IOException | RuntimeException e) {
            // Nothing to repair: the real service does not depend on any of this.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Batches built from one store and installed into another, as in every strategy. */
    private static void content() throws IOException {
        KvStore from = KvStore.generate(64 << 10, 256);
        from.trackChanges();
        for (int round = 0; round < ROUNDS / 30; round++) {
            KvStore to = new KvStore();
            to.keepTombstones(round % 2 == 0);
            KvBatch batch = new KvBatch();
            for (String key : from.keys()) {
                KvStore.Entry e = from.entry(key);
                batch.add(key, e.version(), e.value());
            }
            batch.add("gone", 1, null);
            byte[] copy = java.util.Arrays.copyOf(batch.bytes(), batch.length());
            KvBatch.forEach(copy, batch.count(), round % 2 == 0 ? to::installIfUnresolved : to::install);
            byte[] v = "value".getBytes(StandardCharsets.ISO_8859_1);
            from.put(KvStore.key(round), v, 0, v.length);
            from.delete(KvStore.key(round + 1));
            from.bytesOf(from.takeChanges());
            to.keepTombstones(false);
            to.digest();
        }
        // A migration calls these once per batch, a few times: their loops over the entries would run interpreted.
        KvStore scratch = new KvStore();
        KvBatch one = new KvBatch();
        List<String> keys = from.keys();
        for (int i = 0; i < HOT; i++) {
            one.clear();
            from.addEntries(keys.listIterator(i % keys.size()), one, 1);
            KvBatch.forEach(one.bytes(), one.length(), one.count(), scratch);
        }
    }

    /** Every frame of the state link, over loopback. */
    private static void link() throws IOException, InterruptedException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 1, loopback);
                Socket a = new Socket(loopback, server.getLocalPort());
                Socket b = server.accept();
                KvStateLink sender = new KvStateLink(a);
                KvStateLink receiver = new KvStateLink(b)) {
            // Small frames: the code is what is warmed here (large batches are in content()); every byte more is
            // CPU taken, during the migration, from the old instance and the link engine.
            KvStore store = KvStore.generate(1 << 10, 4);
            KvBatch batch = new KvBatch();
            for (String key : store.keys()) {
                KvStore.Entry e = store.entry(key);
                batch.add(key, e.version(), e.value());
            }
            List<KvStateLink.Frame> received = new ArrayList<>();
            Thread reader = Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (KvStateLink.Frame f; (f = receiver.next()) != null; ) {
                        received.add(f);
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            KvReplyCache cache = new KvReplyCache();
            KvStateLink.Item item = new KvStateLink.Item("k1", 1, new byte[] {1});
            InetSocketAddress client = new InetSocketAddress(loopback, 9);
            for (int i = 0; i < COMPILED; i++) {
                cache.remember("warm-up", i, "warm-up " + i + " ok " + i);
                sender.warmUp(1024);
                sender.warmUpAck(1024);
                sender.begin('S');
                sender.entries(batch);
                sender.roundEnd(i);
                sender.fin(i, cache.encode(), store.digest());
                sender.ack(i);
                sender.forward(new byte[] {1, 2}, 2, client);
                sender.fetch("k1");
                sender.value(item);
                sender.mirror(i, item, "warm-up", i, "warm-up " + i + " ok 1");
                sender.mirrorAck(i);
                sender.pushEnd();
                sender.done();
            }
            // The content's frames, as many as a migration's batches are written and read over its life.
            for (int i = 0; i < HOT; i++) {
                sender.entries(batch);
            }
            sender.flush();
            KvReplyCache.decode(cache.encode());
            a.shutdownOutput();
            reader.join(2000);
        }
    }

    /**
     * The urgency of the handover's threads, raised and put back: the first use of its native calls builds their
     * stubs, which takes tens of milliseconds, too long for the freeze.
     */
    private static void urgency() {
        for (int i = 0; i < 3; i++) {
            try (UrgentThread urgent = UrgentThread.raise()) {
                urgent.realtime();
            }
        }
    }

    /** A full reply cache encoded and decoded, as at every freeze. */
    private static void replyCache() throws IOException {
        KvReplyCache cache = new KvReplyCache();
        for (int i = 0; i < KvReplyCache.WINDOW; i++) {
            cache.remember("warm-up", i, "warm-up " + i + (i % 7 == 0 ? " missing " : " ok ") + (1000 + 3 * i));
        }
        for (int i = 0; i < ROUNDS / 15; i++) {
            KvReplyCache.decode(cache.encode());
        }
        KvReplyCache small = new KvReplyCache();
        for (int i = 0; i < 8; i++) {
            small.remember("warm-up", i, i % 3 == 0 ? "literal " + i : "warm-up " + i + " ok " + i);
        }
        for (int i = 0; i < COMPILED; i++) {
            KvReplyCache.decode(small.encode());
        }
    }

    /** Gets, puts and deletes through the service's own request path, answered into nothing. */
    private static void requests() throws IOException {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            KvService service = new KvService(socket, (InetSocketAddress) socket.getLocalSocketAddress(), quiet,
                    quiet);
            service.store = KvStore.generate(16 << 10, 16);
            String[] ops = {"get", "put", "delete"};
            for (int i = 0; i < ROUNDS * 3; i++) {
                String text = "warm-up " + i + " " + ops[i % 3] + " " + KvStore.key(i % 20)
                        + (i % 3 == 1 ? " v" + i : "");
                byte[] raw = text.getBytes(StandardCharsets.ISO_8859_1);
                KvProtocol.Request q = KvProtocol.parseRequest(raw, raw.length);
                service.handle(new KvService.Request(q, raw, raw.length, null,
                        reply -> KvProtocol.parseReply(reply)));
            }
            // The freeze and the instants the handover's events carry: classes otherwise first loaded in the freeze.
            service.freeze();
            service.disconnectTcp();
            for (int i = 0; i < ROUNDS; i++) {
                AppEvents.epochNanos(Instant.now());
            }
        }
    }
}
