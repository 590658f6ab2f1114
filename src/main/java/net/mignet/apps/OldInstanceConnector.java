package net.mignet.apps;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Connects a successor to the old instance's state port, again and again until a deadline: the old instance may
 * not listen yet (refused: the next attempt follows shortly), and on a lossy state network the SYN, its answer or
 * the address resolution before them may be lost. The kernel resends a lost SYN only after TCP's initial
 * retransmission timeout (1 s), so an attempt that waits {@link #FIRST_WAIT} and a fresh one after it is quicker;
 * each attempt that times out waits twice as long as the one before, up to {@link #MAX_WAIT}, so that a state
 * network with a round trip longer than the first wait still connects. Measured with 10 % loss on both state links
 * of the reference scenario (a SYN and its answer cross four lossy hops, about a third of attempts lost), 30
 * migrations of StateStrategiesTest each way: the start phase (the successor's launch included) took p50 2.9 s,
 * p90 5.4 s, at most 9.5 s with one-second attempts; p50 2.1 s, p90 3.0 s, at most 5.1 s with these, together with
 * the old instance greeting each connection on its own thread and {@link TcpRetransmitTimeout#MAX}.
 */
final class OldInstanceConnector {
    static final Duration FIRST_WAIT = Duration.ofMillis(250);
    static final Duration MAX_WAIT = Duration.ofSeconds(2);
    /** How long a successor looks for its old instance before it gives up (and exits 1). */
    static final Duration LOOK_WITHIN = Duration.ofSeconds(30);
    /**
     * How long a greeting may wait for the old instance's answer before the attempt counts as failed and a fresh
     * connection is tried: ten retransmissions at the timeout's maximum ({@link TcpRetransmitTimeout#MAX}).
     */
    static final int ANSWER_WITHIN_MILLIS = 10_000;
    /**
     * How long the old instance waits for an accepted connection's hello before it closes it: as long as a
     * successor looks for it.
     */
    static final int HELLO_WITHIN_MILLIS = (int) LOOK_WITHIN.toMillis();
    /** After a refusal: the old instance is starting, or its port is not open yet. */
    private static final long REFUSED_PAUSE_MILLIS = 20;

    /** Prepares each new socket before it connects (options that must be set first); a failure ends the attempts. */
    interface Setup {
        void prepare(Socket s) throws IOException;
    }

    /**
     * What follows the connection (a hello and its answer, say). A failure counts as a failed attempt, but for
     * {@link StartOver}, which ends the attempts at once.
     */
    interface Greeting<T> {
        T greet(Socket connected) throws IOException;
    }

    /** A greeting's failure that a fresh connection of the same kind cannot mend: the caller must start over. */
    static final class StartOver extends IOException {
        StartOver(String message, IOException cause) {
            super(message, cause);
        }
    }

    private OldInstanceConnector() {
    }

    /**
     * Returns what {@code greeting} made of the first connection it succeeded on, or throws once {@code within} has
     * passed: attempts begin until then, and the last one may take {@link #ANSWER_WITHIN_MILLIS} more for its
     * answer. {@code current} is told of each attempt's socket (null after a failed one), so that another thread
     * can close it to give up.
     */
    static <T> T connect(InetSocketAddress old, Duration within, Setup setup, Greeting<T> greeting,
            Consumer<Socket> current) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        long wait = FIRST_WAIT.toMillis();
        while (true) {
            Socket s = new Socket();
            current.accept(s);
            try {
                setup.prepare(s);
            } catch (IOException e) {
                s.close();
                current.accept(null);
                throw e;
            }
            IOException failure = null;
            boolean unanswered = false;
            try {
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                s.connect(old, (int) Math.min(wait, left));
            } catch (SocketTimeoutException e) {
                failure = e;
                unanswered = true;
                wait = Math.min(MAX_WAIT.toMillis(), wait * 2);
            } catch (IOException e) {
                failure = e;
            }
            if (failure == null) {
                try {
                    return greeting.greet(s);
                } catch (StartOver e) {
                    abort(s);
                    current.accept(null);
                    throw e;
                } catch (IOException e) {
                    failure = e; // no answer to the hello, or not the one expected
                }
            }
            abort(s);
            current.accept(null);
            if (System.nanoTime() > deadline) {
                throw new IOException("no old instance at " + old.getAddress().getHostAddress() + ":"
                        + old.getPort() + " within " + within.toSeconds() + " s: " + failure.getMessage(), failure);
            }
            if (!unanswered) {
                Thread.sleep(REFUSED_PAUSE_MILLIS);
            }
        }
    }

    /**
     * Closes a given-up attempt with a reset: a plain close would leave the kernel resending its unanswered hello,
     * which could reach the old instance after the next attempt's and displace it there (the newest hello wins).
     */
    static void abort(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (IOException e) {
            // not connected, or closed already: nothing left to resend
        }
        try {
            s.close();
        } catch (IOException e) {
            // closing is all that was left
        }
    }
}
