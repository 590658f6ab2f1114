package net.mignet.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Commits nftables transactions in the order they were submitted, on a thread of its own, so that the caller
 * prepares the next transaction while the kernel applies one: a controller's burst of flow changes then costs
 * the longer of decoding and the kernel's work instead of their sum (on a machine with a second core). Once the
 * kernel refuses a transaction, the later ones are not sent. The thread ends after a few idle seconds and is
 * started again by the next submission, so a switch that never gets such a burst has none.
 */
public final class NftCommitQueue {
    private final ThreadPoolExecutor thread;
    private final List<Future<?>> pending = new ArrayList<>();
    /** The first refusal since the last {@link #await}, or null. */
    private volatile RuntimeException refused;

    /** {@code name}: the committing thread's name. */
    public NftCommitQueue(String name) {
        this.thread = new ThreadPoolExecutor(0, 1, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> Thread.ofPlatform().daemon().name(name).unstarted(() -> {
                    // Woken for every part of a burst: it must not push the decoding thread off its core. Where
                    // the kernel refuses, it stays an ordinary thread.
                    int ignored = ThreadScheduling.setCurrentThread(ThreadScheduling.SCHED_BATCH, 0);
                    r.run();
                }));
    }

    /** Queues {@code tx} to be committed after every transaction submitted before it. */
    public synchronized void submit(NftNetlink.Transaction tx) {
        pending.add(thread.submit(() -> {
            if (refused != null) {
                return;
            }
            try {
                tx.commit();
            } catch (RuntimeException e) {
                refused = e;
            }
        }));
    }

    /** Whether a transaction submitted since the last {@link #await} was refused (the later ones are dropped). */
    public boolean refused() {
        return refused != null;
    }

    /**
     * Waits until every submitted transaction was committed or dropped; returns the kernel's refusal of the first
     * one it refused (null when none), and starts afresh.
     */
    public synchronized RuntimeException await() {
        boolean interrupted = false;
        // A transaction under way is waited for even when interrupted: the caller must know what the kernel holds.
        for (Future<?> f : pending) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    // The task catches the kernel's refusal; anything else is a bug worth seeing.
                    if (refused == null) {
                        refused = new IllegalStateException(e.getCause());
                    }
                    break;
                }
            }
        }
        pending.clear();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        RuntimeException r = refused;
        refused = null;
        return r;
    }
}
