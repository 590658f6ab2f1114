package net.mignet.cli;

import java.io.IOException;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.utils.NonBlockingReader;

/**
 * While a command runs or the network is torn down, the terminal sends no signals: with the terminal's ISIG set,
 * Ctrl-C would signal mignet's whole process group, which includes the {@code ip} and {@code nft} commands mignet
 * itself runs (a teardown whose {@code ip netns del} dies leaves namespaces behind). Instead the key arrives as a
 * byte, read here and handed to the {@link InterruptRouter}. Other keys typed meanwhile are dropped.
 */
final class InterruptKeyWatcher implements AutoCloseable {
    private static final int CTRL_C = 3;
    private static final long POLL_MS = 50;
    private final Terminal terminal;
    private final Attributes saved;
    private final Thread thread;
    private volatile boolean closed;

    InterruptKeyWatcher(Terminal terminal, Runnable onInterrupt) {
        this.terminal = terminal;
        this.saved = terminal.getAttributes();
        Attributes quiet = new Attributes(saved);
        quiet.setLocalFlag(Attributes.LocalFlag.ISIG, false);
        quiet.setLocalFlag(Attributes.LocalFlag.ICANON, false);
        quiet.setLocalFlag(Attributes.LocalFlag.ECHO, false);
        quiet.setControlChar(Attributes.ControlChar.VMIN, 1);
        quiet.setControlChar(Attributes.ControlChar.VTIME, 0);
        terminal.setAttributes(quiet);
        thread = Thread.ofPlatform().daemon().name("ctrl-c-watcher").start(() -> watch(onInterrupt));
    }

    private void watch(Runnable onInterrupt) {
        NonBlockingReader reader = terminal.reader();
        try {
            while (!closed) {
                int c = reader.read(POLL_MS);
                if (c == CTRL_C) {
                    onInterrupt.run();
                } else if (c == NonBlockingReader.EOF) {
                    return;
                }
            }
        } catch (IOException e) {
            // The terminal went away: nothing more to watch.
        }
    }

    /** Stops watching (within one poll) and gives the terminal its settings back, for the next prompt. */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        terminal.setAttributes(saved);
    }
}
