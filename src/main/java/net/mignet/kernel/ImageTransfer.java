package net.mignet.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * What the transfers of checkpoint images between emulated hosts share ({@link PrecopyTransfer} is the one
 * transfer): a listening socket in the target's namespace, the wait for the receiver, which files of a checkpoint
 * are images, and what was sent. Images cross the emulated state link (and its delay, rate and counters) over a
 * TCP connection between the two hosts, as a migration's state should.
 *
 * <p>Why not criu's page server: criu corks its page-server socket and sends the final close command without
 * uncorking it, so every dump through a page server waits the kernel's 200 ms cork ceiling before it ends
 * (measured with criu 4.2.1: "Disconnect from the page server" to "Running post-dump scripts" 207 ms for a 7 MB
 * process whose pages took 10 ms).
 */
public final class ImageTransfer {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private ImageTransfer() {
    }

    /** What was sent and how long it took. */
    public record Sent(long bytes, int files, Duration took) {
    }

    /** A listening socket on {@code address} (port chosen by the kernel) in namespace {@code ns}. */
    static ServerSocketChannel listenIn(String ns, String address) {
        return NamespaceThread.call(ns, () -> {
            try {
                ServerSocketChannel s = ServerSocketChannel.open();
                s.bind(new InetSocketAddress(address, 0));
                return s;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen on " + address + " in " + ns, e);
            }
        });
    }

    /** Waits (up to two minutes) until the receiver in {@code targetNs} has written every image. */
    static void awaitReceived(CompletableFuture<Void> received, String targetNs) {
        try {
            received.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("receiving the images in " + targetNs + " failed: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the images did not arrive in " + targetNs + " within "
                    + TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending images", e);
        }
    }

    /** A checkpoint's image files in {@code dir}, in name order, without criu's logs and pid files. */
    static List<Path> imagesIn(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).filter(f -> {
                String name = f.getFileName().toString();
                return !name.endsWith(".log") && !name.endsWith(".pid");
            }).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
