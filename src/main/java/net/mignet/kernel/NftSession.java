package net.mignet.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One long-lived {@code nft -i} in a namespace, fed scripts over a pipe. A flow change then costs a fraction
 * of a millisecond instead of starting {@code ip netns exec nft} (several milliseconds, more on a loaded
 * machine), which matters because a migration's downtime includes one flow change. nft runs each input line
 * as one transaction, so a script is sent as one line. After it comes a command that is sure to fail with a
 * numbered marker: nft reports errors in order on standard error, so everything before the marker's error
 * belongs to the script.
 */
public final class NftSession implements AutoCloseable {
    private static final String SYNC_TABLE = "mignet_sync";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final String namespace;
    private final Process process;
    private final OutputStream stdin;
    private final BlockingQueue<String> errors = new LinkedBlockingQueue<>();
    private long sequence;
    /** nf_tables over netlink in the same namespace, for changes of single rules; opened when first needed. */
    private NftNetlink netlink;
    private RouteLinks links;

    private NftSession(String namespace, Process process) {
        this.namespace = namespace;
        this.process = process;
        this.stdin = process.getOutputStream();
        Thread.ofPlatform().daemon().name("nft-stderr").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    errors.add(line);
                }
            } catch (IOException e) {
                // nft is gone; apply() notices.
            }
        });
    }

    public static NftSession open(String namespace) {
        try {
            Process p = new ProcessBuilder("ip", "netns", "exec", namespace, "nft", "-i")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return new NftSession(namespace, p);
        } catch (IOException e) {
            throw new CommandException("cannot start nft in " + namespace + ": " + e.getMessage(), e);
        }
    }

    /** Runs a script (one or more commands, newlines allowed) as one atomic transaction. */
    public synchronized void apply(String script) {
        if (!process.isAlive()) {
            throw new IllegalStateException("the nft session has ended (exit " + process.exitValue() + ")");
        }
        long n = ++sequence;
        String marker = SYNC_TABLE + " s" + n;
        String line = String.join(" ; ", script.strip().lines().map(String::strip).filter(l -> !l.isEmpty())
                .toList());
        try {
            stdin.write((line + "\nlist counter netdev " + marker + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write to nft: " + e.getMessage(), e);
        }
        List<String> output = new ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        // The transaction is under way: an interrupt waits until nft has answered, or the caller would not know
        // whether it took effect, and its answer would be read as the next script's.
        boolean interrupted = false;
        try {
            while (true) {
                String l;
                try {
                    l = errors.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                    continue;
                }
                if (l == null) {
                    throw new IllegalStateException("nft did not answer within " + TIMEOUT.toSeconds() + " s");
                }
                if (l.contains(marker)) {
                    interrupted |= pollCaretLine();
                    break;
                }
                output.add(l);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (!output.isEmpty()) {
            output.removeLast(); // "Error: No such file or directory" of the marker itself
        }
        if (!output.isEmpty()) {
            throw new IllegalStateException(String.join("\n", output).strip());
        }
    }

    /** Reads the caret line under the marker's command; true when an interrupt came meanwhile. */
    private boolean pollCaretLine() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        boolean interrupted = false;
        while (true) {
            try {
                errors.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
    }

    /** A netlink socket to nf_tables in the session's namespace, shared by its users, closed with the session. */
    public synchronized NftNetlink netlink() {
        openSockets();
        return netlink;
    }

    /** The index of interface {@code name} in the session's namespace. */
    public int interfaceIndex(String name) {
        RouteLinks query;
        synchronized (this) {
            openSockets();
            query = links;
        }
        return query.indexOf(name);
    }

    /** Both sockets in one visit of the namespace. */
    private void openSockets() {
        if (netlink == null) {
            NftNetlink[] opened = new NftNetlink[1];
            links = NamespaceThread.call(namespace, () -> {
                opened[0] = NftNetlink.open();
                return RouteLinks.open();
            });
            netlink = opened[0];
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (netlink != null) {
                netlink.close();
                links.close();
                netlink = null;
                links = null;
            }
        }
        try {
            stdin.close();
        } catch (IOException e) {
            // nft already gone
        }
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.toHandle().destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.toHandle().destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
