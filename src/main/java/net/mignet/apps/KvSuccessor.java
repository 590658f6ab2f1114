package net.mignet.apps;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import net.mignet.app.AppEvents;

/**
 * The successor's side of a key-value state transfer: connects to the old instance (bulk link, then fast
 * link), takes the content by the strategy the old instance announces, verifies it against the old instance's
 * digest (post-copy: cannot, the content keeps arriving while it serves) and acknowledges it. Post-copy, it
 * serves at once: a request for a key not here yet waits while that key is fetched, and each write is mirrored
 * to the old instance before it is answered, so that a rollback keeps it.
 */
final class KvSuccessor {
    private final KvService service;
    private final InetSocketAddress from;
    private final Duration rtoMin;
    private final Map<Long, Runnable> awaitingMirrorAck = new ConcurrentHashMap<>();
    /** Runs the receiving code on throwaway data when the old instance announces its freeze. */
    private final KvReceiveRehearsal rehearsal = new KvReceiveRehearsal();
    /** The take-over thread's urgency until it has acknowledged (see {@link UrgentThread}). */
    private UrgentThread urgent;
    private KvStateLink bulk;
    private KvStateLink fast;
    private long mirrorIds;
    /** Completed with the strategy once the content is arriving: the bulk link's thread then says so. */
    private final CompletableFuture<Character> receiving = new CompletableFuture<>();
    /** Content bytes read from the bulk link; written by the take-over's thread, then by the bulk link's. */
    private volatile long received;

    /**
     * @param rtoMin TCP's minimum retransmission timeout on the links it opens (zero: the kernel's, 200 ms), as the
     *               old instance has it on the links it accepts: a lost answer of this side, such as the
     *               acknowledgement, is resent after that long, with the service paused
     */
    KvSuccessor(KvService service, InetSocketAddress from, Duration rtoMin) {
        this.service = service;
        this.from = from;
        this.rtoMin = rtoMin;
    }

    /** What the successor took over, for the announcements made once it serves. */
    private record Taken(char strategy, KvStateLink.Final fin, long begunAt, long finalAt, long readyAt,
            long servingAt, String urgency) {
    }

    /**
     * Returns once this instance can serve; exits the process (status 1) when it cannot take the state. From the
     * old instance's freeze to the return, this thread only reads, installs and acknowledges: the announcements
     * (printing to a terminal can take milliseconds on a busy machine) and the rest of the bulk link (post-copy's
     * push) are another thread's, started beforehand.
     */
    void takeOver() throws InterruptedException {
        CompletableFuture<Taken> taken = new CompletableFuture<>();
        try {
            connectLinks();
            service.out.println("Waiting for the state from " + KvService.hostPort(from));
            AppEvents.emit(service.events, "awaiting-state", "from", KvService.hostPort(from));
            Thread.ofPlatform().name("fast-link").daemon().start(this::readFastLink);
            Thread.ofPlatform().name("bulk-link").daemon().start(() -> afterTakeOver(taken));
            // Urgent until it has acknowledged (see UrgentThread): the content's arrival wakes it at once.
            urgent = UrgentThread.raise();
            KvStateLink.Frame first = nextAfterWarmUp();
            long begunAt = AppEvents.epochNanos(Instant.now());
            if (!(first instanceof KvStateLink.Begin begin)) {
                throw new IOException("expected the transfer to begin, got " + first);
            }
            KvStateLink.Final fin = receiveUntilFinal(begin.strategy());
            long finalAt = AppEvents.epochNanos(Instant.now());
            synchronized (service.lock) {
                service.store.version(fin.version());
                service.cache = KvReplyCache.decode(fin.replyCache());
                if (begin.strategy() == 'Q') {
                    service.store.keepTombstones(true);
                    service.postCopy = this;
                } else if (service.store.digest() != fin.digest()) {
                    AppEvents.emit(service.events, "takeover-failed", "reason", "checksum");
                    throw new IOException("content digest " + service.store.digest() + " is not the old"
                            + " instance's " + fin.digest());
                }
            }
            bulk.ack(fin.digest());
            long readyAt = AppEvents.epochNanos(Instant.now());
            String urgency = urgent == null ? "none" : urgent.kind();
            calm();
            receiving.complete(begin.strategy());
            taken.complete(new Taken(begin.strategy(), fin, begunAt, finalAt, readyAt,
                    AppEvents.epochNanos(Instant.now()), urgency));
        } catch (IOException e) {
            receiving.completeExceptionally(e);
            taken.completeExceptionally(e);
            service.out.println("cannot take the state from " + KvService.hostPort(from) + ": " + e.getMessage());
            AppEvents.emit(service.events, "takeover-failed", "reason", "io");
            System.exit(1);
        }
    }

    /**
     * The bulk link's thread: says the content is arriving and, once the take-over is done, that it serves (the
     * thread that takes over prints nothing), then reads the rest of the link.
     */
    private void afterTakeOver(CompletableFuture<Taken> taken) {
        Taken t;
        try {
            AppEvents.emit(service.events, "receiving", "strategy", receiving.get());
            t = taken.get();
        } catch (InterruptedException | ExecutionException e) {
            return;
        }
        int keys;
        synchronized (service.lock) {
            keys = service.store.size();
        }
        AppEvents.emit(service.events, "state-received", "bytes", received, "begun", t.begunAt(), "final",
                t.finalAt(), "at", t.readyAt(), "digest", t.fin().digest(), "version", t.fin().version(), "urgency",
                t.urgency());
        AppEvents.emit(service.events, "serving", "keys", keys, "at", t.servingAt());
        service.out.println("Got the state from " + KvService.hostPort(from) + ": " + keys + " keys, version "
                + t.fin().version());
        service.startWriting();
        if (t.strategy() == 'Q') {
            receivePush();
        } else {
            drainBulk();
        }
    }

    /**
     * The first frame after the warm-up, whose rounds it acknowledges (see {@link KvSource}), and after the
     * announcement of a stop-and-copy freeze, which it answers once its receiving code has run.
     */
    private KvStateLink.Frame nextAfterWarmUp() throws IOException {
        while (true) {
            KvStateLink.Frame f = bulk.next();
            if (f instanceof KvStateLink.Prepare p) {
                KvHeapReserve.reserve(p.valueBytes(), p.values());
                rehearsal.run();
                bulk.ready();
                continue;
            }
            if (!(f instanceof KvStateLink.WarmUp w)) {
                return f;
            }
            bulk.warmUpAck(w.length());
        }
    }

    /**
     * The bulk link, then the fast link. The old instance pairs a fast link's hello with the bulk link waiting for
     * it, once: a fast link whose answer did not come is given up together with its bulk link, and both are opened
     * afresh (a second fast link would find no bulk link waiting). Both links share one
     * {@link OldInstanceConnector#LOOK_WITHIN}; a last attempt may wait its answer's time more.
     */
    void connectLinks() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + OldInstanceConnector.LOOK_WITHIN.toNanos();
        while (true) {
            bulk = connect(KvStateLink.HELLO_BULK, left(deadline), false);
            try {
                fast = connect(KvStateLink.HELLO_FAST, left(deadline), true);
                return;
            } catch (OldInstanceConnector.StartOver e) {
                bulk.abort();
                if (System.nanoTime() > deadline) {
                    throw new IOException("the old instance at " + KvService.hostPort(from) + " did not answer the"
                            + " fast link's hello within " + OldInstanceConnector.LOOK_WITHIN.toSeconds() + " s", e);
                }
            }
        }
    }

    private static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
    }

    /** {@code startOverOnSilence}: a greeting that fails ends the attempts ({@link OldInstanceConnector.StartOver}). */
    private KvStateLink connect(byte kind, Duration within, boolean startOverOnSilence)
            throws IOException, InterruptedException {
        return OldInstanceConnector.connect(from, within, socket -> TcpRetransmitTimeout.trySetBeforeConnect(socket,
                rtoMin), socket -> {
            KvStateLink link = new KvStateLink(socket);
            try {
                link.hello(kind);
                link.awaitWelcome(OldInstanceConnector.ANSWER_WITHIN_MILLIS);
            } catch (IOException e) {
                if (startOverOnSilence) {
                    throw new OldInstanceConnector.StartOver("no answer to the fast link's hello: " + e.getMessage(),
                            e);
                }
                throw e;
            }
            return link;
        }, socket -> { });
    }

    /**
     * Installs the content until the final frame. A content of more than one batch takes a while: it is announced
     * with its second batch (the other thread prints it); a smaller one with the take-over, after the pause.
     */
    private KvStateLink.Final receiveUntilFinal(char strategy) throws IOException {
        int batches = 0;
        while (true) {
            KvStateLink.Frame f = bulk.next();
            if (f instanceof KvStateLink.Entries && ++batches == 2) {
                receiving.complete(strategy);
            }
            // Urgent except while full batches stream in (see UrgentThread.SMALL_CONTENT_BYTES): a full batch has
            // more behind it; a partial one is the last of its round, and the final frame or a round's end follows.
            if (f instanceof KvStateLink.Entries e && e.length() >= KvBatch.TARGET_BYTES) {
                calm();
            } else if (urgent == null) {
                urgent = UrgentThread.raise();
            }
            // instanceof, not a pattern switch: that links itself the first time it runs, which is here, during the
            // freeze, and takes about a millisecond.
            if (f instanceof KvStateLink.Entries e) {
                synchronized (service.lock) {
                    // The store itself installs each entry: its code is compiled by the warm-up (a lambda's is
                    // not, and would be interpreted, then compiled, in the freeze).
                    KvBatch.forEach(e.data(), e.length(), e.count(), service.store);
                }
                received += e.length() + 9;
            } else if (f instanceof KvStateLink.RoundEnd r) {
                bulk.roundAck(r.round());
                AppEvents.emit(service.events, "round-received", "n", r.round(), "bytes", received);
            } else if (f instanceof KvStateLink.Final fin) {
                received += fin.replyCache().length + 21;
                return fin;
            } else if (f == null) {
                throw new IOException("the old instance closed the link before the state was complete");
            } else {
                throw new IOException("unexpected " + f + " during the transfer");
            }
        }
    }

    private void calm() {
        if (urgent != null) {
            urgent.close();
            urgent = null;
        }
    }

    /** Post-copy: installs the pushed keys it does not know yet, until the push ends. */
    private void receivePush() {
        try {
            while (true) {
                KvStateLink.Frame f = bulk.next();
                if (f instanceof KvStateLink.Entries e) {
                    synchronized (service.lock) {
                        KvBatch.forEach(e.data(), e.length(), e.count(), (key, version, data, offset, length) -> {
                            if (service.store.installIfUnresolved(key, version, data, offset, length)) {
                                service.arrived(key);
                            }
                        });
                    }
                    received += e.length() + 9;
                } else if (f instanceof KvStateLink.PushEnd) {
                    synchronized (service.lock) {
                        service.postCopyComplete();
                    }
                    bulk.done();
                    AppEvents.emit(service.events, "transfer-complete", "bytes", received, "at",
                            AppEvents.epochNanos(Instant.now()));
                    drainBulk();
                    return;
                } else {
                    throw new IOException("unexpected " + f + " during the push");
                }
            }
        } catch (IOException e) {
            service.out.println("the old instance went away during the push (" + e.getMessage() + ");"
                    + " keys not fetched yet are lost");
        }
    }

    /** After the transfer: reads the bulk link until the old instance closes it, then closes too. */
    private void drainBulk() {
        try {
            while (bulk.next() != null) {
                // nothing more is expected
            }
        } catch (IOException e) {
            // gone
        }
        bulk.close();
    }

    private void readFastLink() {
        try {
            // instanceof, not a pattern switch, which links itself on its first run: a millisecond the first
            // forwarded request would wait.
            for (KvStateLink.Frame f; (f = fast.next()) != null; ) {
                if (f instanceof KvStateLink.Forward fw) {
                    service.forwarded(fw.payload(), fw.source());
                } else if (f instanceof KvStateLink.Value v) {
                    synchronized (service.lock) {
                        KvStateLink.Item i = v.item();
                        if (service.postCopy == this) {
                            byte[] value = i.value();
                            service.store.installIfUnresolved(i.key(), i.version(), value, 0,
                                    value == null ? -1 : value.length);
                            service.arrived(i.key());
                        }
                    }
                } else if (f instanceof KvStateLink.MirrorAck a) {
                    Runnable reply = awaitingMirrorAck.remove(a.id());
                    if (reply != null) {
                        reply.run();
                    }
                } else {
                    throw new IOException("unexpected " + f + " on the fast link");
                }
            }
        } catch (IOException e) {
            // the old instance is gone: nothing more is forwarded
        }
        fast.close();
    }

    /** Post-copy, under the lock: asks the old instance for a key a request waits on. */
    void fetch(String key) {
        try {
            fast.fetch(key);
        } catch (IOException e) {
            service.out.println("cannot fetch " + key + " from the old instance: " + e.getMessage());
        }
    }

    /** Post-copy, under the lock: a write goes to the old instance; {@code reply} runs once it has it. */
    void mirror(KvStateLink.Item item, String client, long seq, String replyText, Runnable reply) {
        long id = ++mirrorIds;
        awaitingMirrorAck.put(id, reply);
        try {
            fast.mirror(id, item, client, seq, replyText);
        } catch (IOException e) {
            awaitingMirrorAck.remove(id);
            service.out.println("cannot mirror a write to the old instance: " + e.getMessage());
        }
    }
}
