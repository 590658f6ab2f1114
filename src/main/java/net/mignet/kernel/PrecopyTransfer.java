package net.mignet.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends a checkpoint's images from one emulated host to another in two steps, over one TCP connection between
 * the two hosts' state addresses (so every byte crosses the emulated state link and its counters):
 * {@link #precopy} sends the pages a dump would contain while the program still runs; {@link #send}, once the
 * program is dumped, sends the images, with each page of the dump's page files that the target already holds
 * from the pre-copy sent as a reference to it, and only the others in full. The target rebuilds the page files
 * exactly; the source compares every referenced page byte for byte with what it sent, so a page that changed after
 * the pre-copy is always sent anew.
 *
 * <p>Why: the dump's pages are most of its bytes (8 MB of 8.05 for a Python service), and sending them while the
 * program is frozen took at least 64 ms on a 1 Gbit/s state link; most of them do not change in the moment between
 * pre-copy and dump. Unlike criu's own pre-dump rounds this needs no dirty-page tracking from the kernel (this
 * kernel has none): the dump itself says what the pages are at the freeze.
 *
 * <p>The stream, records each starting with one byte: {@code P} n, then n pages (pre-copied, numbered on from 0);
 * {@code F} name, size, bytes (a file as it is); {@code D} name, size, then operations until size bytes are
 * written: {@code R} first, count (pre-copied pages first..first+count-1) or {@code L} count, then count pages;
 * {@code E}: the end. Names are UTF-8 with their length (int) first.
 */
public final class PrecopyTransfer implements AutoCloseable {
    private static final int PAGE = ResidentPages.PAGE;
    /** Pages compared with the expected pre-copied ones in one go, before falling back to one at a time. */
    private static final int COMPARED_AT_ONCE = 32;
    private static final byte PAGES = 'P';
    private static final byte FILE = 'F';
    private static final byte DEDUPLICATED = 'D';
    private static final byte REFERENCE = 'R';
    private static final byte LITERAL = 'L';
    private static final byte IN_PLACE = 'I';
    private static final byte END = 'E';

    private final SocketChannel socket;
    /** Ends a write that the link lets nothing through (a cut or very lossy state link) instead of blocking on. */
    private final StallWatch stallWatch;
    static final Duration STALL_LIMIT = Duration.ofSeconds(Long.getLong("mignet.transfer.stallSeconds", 20));
    /** The most one blocking call sends, so that progress shows between calls. */
    private static final int PROGRESS_STEP = 64 << 10;
    private final ServerSocketChannel server;
    private final CompletableFuture<Void> received = new CompletableFuture<>();
    private final PageStore sent;
    private final String targetNs;
    private long bytes;
    /** What {@link #write} gathered and has not sent yet. */
    private final ByteBuffer out = ByteBuffer.allocateDirect(4 << 20);
    private String breakdown = "nothing sent yet";
    private int inPlaceSends;

    /** What the pre-copy sent. */
    public record Precopied(int pages, long bytes, Duration took) {
    }

    private PrecopyTransfer(SocketChannel socket, ServerSocketChannel server, PageStore sent, String targetNs,
            Duration stallLimit) {
        this.stallWatch = new StallWatch(stallLimit, () -> closeQuietly(socket));
        this.socket = socket;
        this.server = server;
        this.sent = sent;
        this.targetNs = targetNs;
    }

    /**
     * Connects namespace {@code sourceNs} to a receiver in {@code targetNs} at {@code targetAddress} (an address of
     * the target host) that writes the images into {@code to}; at most {@code maxPrecopyBytes} are pre-copied (the
     * source keeps a copy of them until closed).
     */
    public static PrecopyTransfer open(String sourceNs, String targetNs, String targetAddress, Path to,
            long maxPrecopyBytes) {
        return open(sourceNs, targetNs, targetAddress, to, maxPrecopyBytes, STALL_LIMIT);
    }

    /** As above; a transfer that makes no progress for {@code stallLimit} fails. */
    static PrecopyTransfer open(String sourceNs, String targetNs, String targetAddress, Path to,
            long maxPrecopyBytes, Duration stallLimit) {
        try {
            Files.createDirectories(to);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + to, e);
        }
        ServerSocketChannel server = ImageTransfer.listenIn(targetNs, targetAddress);
        PageStore store = null;
        SocketChannel socket = null;
        PrecopyTransfer made = null;
        try {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            socket = NamespaceThread.call(sourceNs, () -> {
                try {
                    return SocketChannel.open();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot open a socket in " + sourceNs, e);
                }
            });
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            store = new PageStore((int) Math.min(Integer.MAX_VALUE, maxPrecopyBytes / PAGE));
            PrecopyTransfer t = new PrecopyTransfer(socket, server, store, targetNs, stallLimit);
            made = t;
            Path base = to.resolveSibling(to.getFileName() + ".precopy");
            Thread.ofPlatform().daemon().name("image-receiver").start(() -> {
                try (SocketChannel peer = server.accept()) {
                    new Receiver(peer, to, base).run();
                    t.received.complete(null);
                } catch (Throwable e) {
                    t.received.completeExceptionally(e);
                }
            });
            // A connect over a cut link would retry its SYN for two minutes.
            SocketChannel connecting = socket;
            t.watched(() -> connecting.connect(new InetSocketAddress(targetAddress, port)));
            return t;
        } catch (IOException | RuntimeException e) {
            if (made != null) {
                made.stallWatch.close();
            }
            closeQuietly(socket);
            closeQuietly(server);
            if (store != null) {
                store.close();
            }
            throw e instanceof IOException io ? new UncheckedIOException("cannot connect the image transfer to "
                    + targetAddress + " in " + targetNs, io) : (RuntimeException) e;
        }
    }

    /**
     * Sends the pages a dump of {@code pids} would contain, read while they run (see {@link ResidentPages}); a
     * process that ends meanwhile is skipped.
     */
    public Precopied precopy(Collection<Long> pids) {
        long t0 = System.nanoTime();
        int pages = 0;
        long before = bytes;
        for (long pid : pids) {
            List<ResidentPages.Run> runs;
            FileChannel mem;
            try {
                runs = ResidentPages.of(pid);
                mem = FileChannel.open(Path.of("/proc", Long.toString(pid), "mem"), StandardOpenOption.READ);
            } catch (IOException e) {
                continue; // it ended: the dump will not contain it either
            }
            try (mem) {
                for (ResidentPages.Run run : runs) {
                    pages += precopyRun(mem, run);
                }
                flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot pre-copy the pages of pid " + pid + " to " + targetNs, e);
            }
        }
        return new Precopied(pages, bytes - before, Duration.ofNanos(System.nanoTime() - t0));
    }

    private int precopyRun(FileChannel mem, ResidentPages.Run run) throws IOException {
        int done = 0;
        while (done < run.pages()) {
            MemorySegment room = sent.reserve(run.pages() - done);
            if (room.byteSize() == 0) {
                return done; // the store is full: the rest goes in full at the freeze
            }
            ByteBuffer into = room.asByteBuffer();
            long address = run.address() + (long) done * PAGE;
            try {
                while (into.hasRemaining()) {
                    if (mem.read(into, address + into.position()) <= 0) {
                        break;
                    }
                }
            } catch (IOException e) {
                // Unreadable after all (e.g. unmapped meanwhile): keep what was read.
            }
            int read = into.position() / PAGE;
            if (read == 0) {
                return done;
            }
            sent.commit(read);
            write(ByteBuffer.allocate(5).put(PAGES).putInt(read).flip());
            write(room.asSlice(0, (long) read * PAGE).asByteBuffer());
            done += read;
            if (read < room.byteSize() / PAGE) {
                return done;
            }
        }
        return done;
    }

    /**
     * Sends the images of {@code from} (not logs or pid files), the page files against the pre-copy, and waits
     * until the target has written them all.
     */
    public ImageTransfer.Sent send(Path from) {
        long t0 = System.nanoTime();
        long before = bytes;
        List<Path> files = ImageTransfer.imagesIn(from);
        try {
            List<Path> pageFiles = files.stream().filter(f -> isPageFile(f)).toList();
            for (Path f : files) {
                String name = f.getFileName().toString();
                long size = Files.size(f);
                if (pageFiles.contains(f)) {
                    // The only page file may take the pre-copied pages' place where it lists them in their order.
                    sendDeduplicated(f, name, size, pageFiles.size() == 1);
                } else {
                    sendWhole(f, name, size);
                }
            }
            write(ByteBuffer.wrap(new byte[] {END}));
            flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot send the images of " + from + " to " + targetNs, e);
        }
        long written = System.nanoTime();
        await();
        long done = System.nanoTime();
        breakdown = String.format(java.util.Locale.ROOT, "compared and sent in %.1f ms, then %.1f ms until the target"
                + " had written every file%s", (written - t0) / 1e6, (done - written) / 1e6,
                inPlaceSends > 0 ? " (the page file took the pre-copied pages' place)" : "");
        return new ImageTransfer.Sent(bytes - before, files.size(), Duration.ofNanos(done - t0));
    }

    private void sendWhole(Path f, String name, long size) throws IOException {
        write(header(FILE, name, size));
        try (FileChannel in = FileChannel.open(f, StandardOpenOption.READ)) {
            transfer(in, 0, size);
        }
    }

    private boolean isPageFile(Path f) {
        try {
            return f.getFileName().toString().startsWith("pages-") && Files.size(f) % PAGE == 0 && sent.size() > 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + f, e);
        }
    }

    /**
     * A page file against the pre-copied pages. When {@code mayTakeTheirPlace} and every page found among them is
     * at its own place (page i of the file is pre-copied page i: the process's memory kept its layout), the target
     * renames its pre-copied pages to this file and writes only the other pages into it ({@code I}); else it builds
     * the file by copying ({@code D}).
     */
    private void sendDeduplicated(Path f, String name, long size, boolean mayTakeTheirPlace) throws IOException {
        int pages = (int) (size / PAGE);
        try (FileChannel in = FileChannel.open(f, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            MemorySegment file = in.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            List<int[]> runs = matchRuns(file, pages);
            boolean inPlace = mayTakeTheirPlace && runs.stream().allMatch(r -> r[1] < 0 || r[1] == r[0]);
            if (inPlace) {
                List<int[]> literal = runs.stream().filter(r -> r[1] < 0).toList();
                write(header(IN_PLACE, name, size));
                write(ByteBuffer.allocate(4).putInt(literal.size()).flip());
                for (int[] r : literal) {
                    write(ByteBuffer.allocate(8).putInt(r[0]).putInt(r[2]).flip());
                    transfer(in, (long) r[0] * PAGE, (long) r[2] * PAGE);
                }
                inPlaceSends++;
                return;
            }
            write(header(DEDUPLICATED, name, size));
            for (int[] r : runs) {
                if (r[1] >= 0) {
                    sendReference(r[1], r[2]);
                } else {
                    sendLiteral(in, r[0], r[2]);
                }
            }
        }
    }

    /**
     * The file's pages as runs {@code {first page of the file, first pre-copied page or -1 (sent in full), count}},
     * in order.
     */
    private List<int[]> matchRuns(MemorySegment file, int pages) {
        List<int[]> runs = new java.util.ArrayList<>();
        int expected = -1;
        int i = 0;
        while (i < pages) {
            // The dump lists pages in the order the pre-copy read them: most runs equal the next ones sent.
            int chunk = Math.min(COMPARED_AT_ONCE, pages - i);
            int match;
            int matched;
            if (chunk > 1 && sent.equalRun(expected, file.asSlice((long) i * PAGE, (long) chunk * PAGE), chunk)) {
                match = expected;
                matched = chunk;
            } else {
                MemorySegment page = file.asSlice((long) i * PAGE, PAGE);
                match = sent.equals(expected, page) ? expected : sent.find(page);
                matched = 1;
            }
            int[] last = runs.isEmpty() ? null : runs.getLast();
            if (last != null && (match < 0 ? last[1] < 0 : last[1] >= 0 && match == last[1] + last[2])) {
                last[2] += matched;
            } else {
                runs.add(new int[] {i, match, matched});
            }
            expected = match >= 0 ? match + matched : expected >= 0 ? expected + 1 : -1;
            i += matched;
        }
        return runs;
    }

    private void sendReference(int first, int count) throws IOException {
        if (count > 0) {
            write(ByteBuffer.allocate(9).put(REFERENCE).putInt(first).putInt(count).flip());
        }
    }

    private void sendLiteral(FileChannel in, int first, int count) throws IOException {
        write(ByteBuffer.allocate(5).put(LITERAL).putInt(count).flip());
        transfer(in, (long) first * PAGE, (long) count * PAGE);
    }

    private void transfer(FileChannel in, long position, long count) throws IOException {
        bytes += count;
        if (count <= out.capacity()) {
            if (count > out.remaining()) {
                flush();
            }
            ByteBuffer into = out.slice(out.position(), (int) count);
            while (into.hasRemaining()) {
                if (in.read(into, position + into.position()) < 0) {
                    throw new IOException("an image file ended while it was being sent");
                }
            }
            out.position(out.position() + (int) count);
            return;
        }
        flush();
        watched(() -> {
            long done = 0;
            while (done < count) {
                long sent = in.transferTo(position + done, Math.min(PROGRESS_STEP, count - done), socket);
                done += sent;
                if (sent > 0) {
                    stallWatch.progress();
                }
            }
        });
    }

    /**
     * Sends {@code b}, in order after what was written before; small writes gather in one buffer (a record's header,
     * a few pages), so the images of a dump leave in a few full segments rather than a hundred small ones.
     */
    private void write(ByteBuffer b) throws IOException {
        bytes += b.remaining();
        if (b.remaining() > out.remaining()) {
            flush();
        }
        if (b.remaining() <= out.remaining()) {
            out.put(b);
            return;
        }
        send(b);
    }

    private void flush() throws IOException {
        out.flip();
        send(out);
        out.clear();
    }

    /** Writes all of {@code b}, failing with the reason when the link lets nothing through for a while. */
    private void send(ByteBuffer b) throws IOException {
        watched(() -> {
            int end = b.limit();
            while (b.position() < end) {
                // In steps, so that a slow but moving transfer reports progress between them: one blocking write
                // of megabytes returns only when all of it is in the socket's buffer.
                b.limit(Math.min(end, b.position() + PROGRESS_STEP));
                if (socket.write(b) > 0) {
                    stallWatch.progress();
                }
                b.limit(end);
            }
        });
    }

    /** A blocking call on the socket. */
    private interface SocketCall {
        void run() throws IOException;
    }

    /** Runs {@code call} under the stall watch: ended by it, it fails saying so. */
    private void watched(SocketCall call) throws IOException {
        stallWatch.arm();
        try {
            call.run();
        } catch (IOException e) {
            throw stallWatch.stalled() ? new IOException("the images made no progress toward " + targetNs + " for "
                    + stallWatch.limit().toSeconds() + " s (is the state link cut, or losing most frames?)", e) : e;
        } finally {
            stallWatch.disarm();
        }
    }

    private static ByteBuffer header(byte kind, String name, long size) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 4 + n.length + 8).put(kind).putInt(n.length).put(n).putLong(size).flip();
    }

    private void await() {
        ImageTransfer.awaitReceived(received, targetNs);
    }

    /** Where the time of the last {@link #send} went. */
    public String lastSendBreakdown() {
        return breakdown;
    }

    /** Bytes sent so far, pre-copy included. */
    public long bytesSent() {
        return bytes;
    }

    @Override
    public void close() {
        stallWatch.close();
        closeQuietly(socket);
        closeQuietly(server);
        if (!received.isDone()) {
            try {
                received.get(5, TimeUnit.SECONDS); // the receiver ends once the connection is gone
            } catch (Exception e) {
                // It failed or hangs; its socket is closed either way.
            }
        }
        sent.close();
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // closing after a failure
            }
        }
    }

    /** The target's side: keeps the pre-copied pages in a file beside the images and rebuilds the page files. */
    private static final class Receiver {
        private final SocketChannel peer;
        private final Path to;
        private final Path basePath;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);

        Receiver(SocketChannel peer, Path to, Path basePath) {
            this.peer = peer;
            this.to = to;
            this.basePath = basePath;
        }

        void run() throws IOException {
            try (FileChannel base = FileChannel.open(basePath, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                long basePages = 0;
                while (true) {
                    byte kind = readFully(1).get();
                    switch (kind) {
                        case PAGES -> {
                            int n = readFully(4).getInt();
                            receiveInto(base, basePages * PAGE, (long) n * PAGE);
                            basePages += n;
                        }
                        case FILE -> {
                            String name = name();
                            long size = readFully(8).getLong();
                            try (FileChannel out = create(name)) {
                                receiveInto(out, 0, size);
                            }
                        }
                        case DEDUPLICATED -> receiveDeduplicated(base, basePages);
                        case IN_PLACE -> receiveInPlace(base, basePages);
                        case END -> {
                            return;
                        }
                        default -> throw new IOException("bad record '" + (char) kind + "' in the image stream");
                    }
                }
            } finally {
                Files.deleteIfExists(basePath);
            }
        }

        private void receiveDeduplicated(FileChannel base, long basePages) throws IOException {
            String name = name();
            long size = readFully(8).getLong();
            try (FileChannel out = create(name)) {
                long written = 0;
                while (written < size) {
                    byte op = readFully(1).get();
                    if (op == REFERENCE) {
                        ByteBuffer b = readFully(8);
                        long first = b.getInt();
                        long count = b.getInt();
                        if (first < 0 || count <= 0 || first + count > basePages
                                || written + count * PAGE > size) {
                            throw new IOException("bad page reference " + first + "+" + count + " in " + name);
                        }
                        long done = 0;
                        while (done < count * PAGE) {
                            done += base.transferTo(first * PAGE + done, count * PAGE - done,
                                    out.position(written + done));
                        }
                        written += count * PAGE;
                    } else if (op == LITERAL) {
                        long count = readFully(4).getInt();
                        if (count <= 0 || written + count * PAGE > size) {
                            throw new IOException("bad page count " + count + " in " + name);
                        }
                        receiveInto(out, written, count * PAGE);
                        written += count * PAGE;
                    } else {
                        throw new IOException("bad page operation '" + (char) op + "' in " + name);
                    }
                }
            }
        }

        /** The pre-copied pages become the file (renamed, cut to its size); the pages sent now are written in. */
        private void receiveInPlace(FileChannel base, long basePages) throws IOException {
            String name = name();
            long size = readFully(8).getLong();
            int patches = readFully(4).getInt();
            try (FileChannel check = create(name)) {
                // Only to check the name and make its place: the pre-copied pages replace it.
            }
            Files.move(basePath, to.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            base.truncate(Math.min(size, basePages * PAGE));
            for (int i = 0; i < patches; i++) {
                ByteBuffer b = readFully(8);
                long first = b.getInt();
                long count = b.getInt();
                if (first < 0 || count <= 0 || (first + count) * PAGE > size) {
                    throw new IOException("bad pages " + first + "+" + count + " for " + name);
                }
                receiveInto(base, first * PAGE, count * PAGE);
            }
            if (base.size() != size) {
                throw new IOException(name + " rebuilt in place has " + base.size() + " bytes, not " + size);
            }
        }

        private FileChannel create(String name) throws IOException {
            if (name.contains("/") || name.equals("..") || name.equals(".") || name.isEmpty()) {
                throw new IOException("bad file name '" + name + "' in the image stream");
            }
            return FileChannel.open(to.resolve(name), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        }

        private String name() throws IOException {
            int length = readFully(4).getInt();
            if (length <= 0 || length > 255) {
                throw new IOException("bad file name length " + length + " in the image stream");
            }
            return StandardCharsets.UTF_8.decode(readFully(length)).toString();
        }

        /**
         * Copies {@code size} bytes of the stream into {@code out} at {@code position}, through one buffer of 1 MiB
         * ({@code FileChannel.transferFrom} reads a socket 8 KiB at a time: 32 768 system calls of each kind for
         * 256 MiB).
         */
        private void receiveInto(FileChannel out, long position, long size) throws IOException {
            long got = 0;
            while (got < size) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), size - got));
                if (peer.read(buffer) < 0) {
                    throw new IOException("the image stream ended early");
                }
                buffer.flip();
                while (buffer.hasRemaining()) {
                    got += out.write(buffer, position + got);
                }
            }
        }

        private ByteBuffer readFully(int n) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(n);
            while (b.hasRemaining()) {
                if (peer.read(b) < 0) {
                    throw new IOException("the image stream ended early");
                }
            }
            return b.flip();
        }
    }
}
