package net.mignet.app;

import java.time.Duration;
import java.util.List;

/** Where an app's standard input, output and error go: pseudo-terminals, or pipes. */
interface AppIo extends AutoCloseable {
    /** Writes one line to the app's standard input. */
    void sendLine(String line);

    /**
     * After the process ended: waits (at most {@code timeout}) until what it wrote has been read into the log.
     * Returns whether it has.
     */
    boolean awaitDrained(Duration timeout);

    /** The terminals, in descriptor order; empty for pipes. */
    List<AppTerminal> terminals();

    /** Stops reading and releases the descriptors. */
    @Override
    void close();
}
