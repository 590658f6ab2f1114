package net.mignet.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Copies a directory of checkpoint images from one emulated host to another over their network, one TCP
 * connection from a socket opened in the source's namespace to one listening in the target's, so the bytes cross
 * the emulated state link (and its delay, rate and counters) as a migration's state should.
 *
 * <p>Why not criu's page server: criu corks its page-server socket and sends the final close command without
 * uncorking it, so every dump through a page server waits the kernel's 200 ms cork ceiling before it ends
 * (measured with criu 4.2.1: "Disconnect from the page server" to "Running post-dump scripts" 207 ms for a 7 MB
 * process whose pages took 10 ms).
 *
 * <p>The stream: per file, its name's length (int), name (UTF-8), size (long) and bytes; a zero length ends it,
 * and the receiver answers one byte once every file is written.
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

    /**
     * Sends the files of {@code from} (not logs or pid files) from namespace {@code sourceNs} to {@code to},
     * received in namespace {@code targetNs} at {@code targetAddress} (an address of the target host).
     */
    public static Sent copy(Path from, String sourceNs, Path to, String targetNs, String targetAddress) {
        long t0 = System.nanoTime();
        List<Path> files = imagesIn(from);
        try {
            Files.createDirectories(to);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + to, e);
        }
        ServerSocketChannel server = listenIn(targetNs, targetAddress);
        try (server) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            CompletableFuture<Void> received = new CompletableFuture<>();
            Thread.ofPlatform().daemon().name("image-receiver").start(() -> {
                try {
                    receive(server, to);
                    received.complete(null);
                } catch (Throwable e) {
                    received.completeExceptionally(e);
                }
            });
            SocketChannel socket = NamespaceThread.call(sourceNs, () -> {
                try {
                    return SocketChannel.open();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot open a socket in " + sourceNs, e);
                }
            });
            long bytes = 0;
            try (socket) {
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
                socket.connect(new InetSocketAddress(targetAddress, port));
                for (Path f : files) {
                    bytes += send(socket, f);
                }
                writeFully(socket, ByteBuffer.allocate(4).putInt(0).flip());
                ByteBuffer ack = ByteBuffer.allocate(1);
                while (ack.hasRemaining()) {
                    if (socket.read(ack) < 0) {
                        break;
                    }
                }
            }
            awaitReceived(received, targetNs);
            return new Sent(bytes, files.size(), Duration.ofNanos(System.nanoTime() - t0));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot send the images of " + from + " to " + targetAddress, e);
        }
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

    private static long send(SocketChannel socket, Path file) throws IOException {
        byte[] name = file.getFileName().toString().getBytes(StandardCharsets.UTF_8);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = in.size();
            writeFully(socket, ByteBuffer.allocate(4 + name.length + 8).putInt(name.length).put(name).putLong(size)
                    .flip());
            long sent = 0;
            while (sent < size) {
                sent += in.transferTo(sent, size - sent, socket);
            }
            return size;
        }
    }

    private static void receive(ServerSocketChannel server, Path to) throws IOException {
        try (SocketChannel peer = server.accept()) {
            while (true) {
                int length = readFully(peer, 4).getInt();
                if (length == 0) {
                    break;
                }
                if (length < 0 || length > 255) {
                    throw new IOException("bad file name length " + length + " in the image stream");
                }
                String name = StandardCharsets.UTF_8.decode(readFully(peer, length)).toString();
                if (name.contains("/") || name.equals("..") || name.equals(".")) {
                    throw new IOException("bad file name '" + name + "' in the image stream");
                }
                long size = readFully(peer, 8).getLong();
                try (FileChannel out = FileChannel.open(to.resolve(name), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    long got = 0;
                    while (got < size) {
                        long n = out.transferFrom(peer, got, size - got);
                        if (n <= 0) {
                            throw new IOException("the image stream ended inside " + name);
                        }
                        got += n;
                    }
                }
            }
            writeFully(peer, ByteBuffer.wrap(new byte[] {1}));
        }
    }

    private static ByteBuffer readFully(SocketChannel channel, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                throw new IOException("the image stream ended early");
            }
        }
        return b.flip();
    }

    private static void writeFully(SocketChannel channel, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
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
