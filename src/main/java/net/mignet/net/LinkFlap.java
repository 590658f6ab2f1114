package net.mignet.net;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Cuts and restores the links between two nodes {@code count} times in the background: each cycle of
 * {@code period} is half down, half up, on a fixed schedule (so slow {@code ip} calls do not stretch it). It ends
 * with the links up, also when cancelled, and reports when done.
 */
public final class LinkFlap {
    /** One change of the links' state: begun {@code at}, in effect {@code took} later at the latest. */
    public record Transition(Instant at, boolean up, Duration took) {
        public Instant done() {
            return at.plus(took);
        }
    }

    /** What a flap did, once it is over. */
    public record Report(String a, String b, int cycles, int cyclesAsked, List<Transition> transitions,
            boolean cancelled, String error) {
        public String describe() {
            String what = "flap " + a + " " + b + ": " + cycles + " of " + cyclesAsked + " down/up cycles, "
                    + transitions.size() + " transitions";
            return error != null ? what + ", failed: " + error : cancelled ? what + ", cancelled" : what + ", done";
        }
    }

    private final String a;
    private final String b;
    private final List<Link> links;
    private final Duration period;
    private final int count;
    private final List<Transition> transitions = new ArrayList<>();
    private final CountDownLatch cancel = new CountDownLatch(1);
    private final CompletableFuture<Report> done = new CompletableFuture<>();

    private LinkFlap(String a, String b, List<Link> links, Duration period, int count) {
        this.a = a;
        this.b = b;
        this.links = List.copyOf(links);
        this.period = period;
        this.count = count;
    }

    /** Starts flapping; {@code onDone} hears the report (from the flap's own thread). */
    static LinkFlap start(String a, String b, List<Link> links, Duration period, int count,
            Consumer<Report> onDone) {
        if (period.toMillis() < 2) {
            throw new IllegalArgumentException("flap period " + period.toMillis() + " ms is too short: give at least"
                    + " 2ms (half of it down, half up)");
        }
        if (count < 1) {
            throw new IllegalArgumentException("flap count must be 1 or more, not " + count);
        }
        LinkFlap flap = new LinkFlap(a, b, links, period, count);
        flap.done.thenAccept(onDone);
        Thread.ofVirtual().name("flap-" + a + "-" + b).start(flap::run);
        return flap;
    }

    private void run() {
        long half = period.toNanos() / 2;
        long t0 = System.nanoTime();
        int cycles = 0;
        String error = null;
        try {
            for (int i = 0; i < count; i++) {
                if (!waitUntil(t0 + 2L * i * half)) {
                    break;
                }
                set(false);
                boolean cancelled = !waitUntil(t0 + (2L * i + 1) * half);
                set(true);
                cycles++;
                if (cancelled) {
                    break;
                }
            }
        } catch (RuntimeException e) {
            error = e.getMessage();
            restoreQuietly();
        }
        done.complete(new Report(a, b, cycles, count, transitions(), isCancelled(), error));
    }

    /** Waits for the scheduled moment; false when cancelled first. */
    private boolean waitUntil(long nanoTime) {
        try {
            return !cancel.await(Math.max(0, nanoTime - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void set(boolean up) {
        Instant at = Instant.now();
        long t0 = System.nanoTime();
        for (Link l : links) {
            l.setUp(up);
        }
        synchronized (transitions) {
            transitions.add(new Transition(at, up, Duration.ofNanos(System.nanoTime() - t0)));
        }
    }

    private void restoreQuietly() {
        for (Link l : links) {
            try {
                l.setUp(true);
            } catch (RuntimeException e) {
                // The namespace is gone (teardown) or the error was reported already.
            }
        }
    }

    public String a() {
        return a;
    }

    public String b() {
        return b;
    }

    /** The transitions so far. */
    public List<Transition> transitions() {
        synchronized (transitions) {
            return List.copyOf(transitions);
        }
    }

    /** Stops flapping; the links end up. Returns at once: {@link #done()} completes when it is over. */
    public void cancel() {
        cancel.countDown();
    }

    public boolean isCancelled() {
        return cancel.getCount() == 0;
    }

    public CompletableFuture<Report> done() {
        return done;
    }

    /** Waits up to {@code timeout} for the flap to be over. */
    public Report await(Duration timeout) throws InterruptedException {
        try {
            return done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("flap " + a + " " + b + " still running after " + timeout.toMillis()
                    + " ms", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("flap " + a + " " + b + " failed: " + e.getCause().getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "flap " + a + " " + b + " every " + period.toMillis() + " ms, " + count + " cycles"
                + (done.isDone() ? " (over)" : "");
    }
}
