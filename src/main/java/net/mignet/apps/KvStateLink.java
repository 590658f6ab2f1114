package net.mignet.apps;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Instant;
import net.mignet.app.AppEvents;

/**
 * One TCP connection between a key-value service instance and its successor over the state network
 * ({@code docs/state-transfer-protocol.md}). The successor opens two: the <em>bulk</em> link carries the content
 * (snapshot, rounds, the final frame, the post-copy push) and the <em>fast</em> link everything that must not
 * wait behind megabytes of content: forwarded requests, post-copy fetches and mirrored writes. TCP makes loss
 * and duplication on the state network harmless; a one-byte no-op behind a frame that must not wait lets a
 * lost last segment be resent after about one round trip instead of TCP's retransmission timeout.
 */
final class KvStateLink implements AutoCloseable {
    static final byte HELLO_BULK = 'H';
    static final byte HELLO_FAST = 'L';
    private static final byte NOOP = 'N';
    private static final byte BEGIN = 'B';
    private static final byte ENTRIES = 'K';
    private static final byte ROUND_END = 'R';
    private static final byte ROUND_ACK = 'r';
    private static final byte FINAL = 'Z';
    private static final byte ACK = 'A';
    private static final byte PUSH_END = 'E';
    private static final byte DONE = 'D';
    private static final byte FORWARD = 'F';
    private static final byte FETCH = 'G';
    private static final byte VALUE = 'V';
    private static final byte MIRROR = 'W';
    private static final byte MIRROR_ACK = 'M';
    private static final byte WARM_UP = 'P';
    private static final byte WARM_UP_ACK = 'p';
    private static final byte PREPARE = 'Y';
    private static final byte READY = 'y';
    private static final int MAX_BATCH_BYTES = 64 << 20;
    private static final int MAX_WARM_UP_BYTES = 64 << 20;

    /** A key and its entry; a null value means the key has none (deleted, or never there). */
    record Item(String key, long version, byte[] value) {
    }

    sealed interface Frame {
    }

    record Begin(char strategy) implements Frame {
    }

    /**
     * A {@link KvBatch}'s bytes, {@code count} entries in the first {@code length} bytes of {@code data}; the array
     * is the link's own and is overwritten by the next frame, so the entries must be installed before.
     */
    record Entries(byte[] data, int length, int count) implements Frame {
    }

    /** Padding that opens the bulk link's congestion and receive windows before the transfer (old -> successor). */
    record WarmUp(int length) implements Frame {
    }

    /** The successor read a warm-up frame of that length. */
    record WarmUpAck(int length) implements Frame {
    }

    /**
     * The old instance is about to freeze (stop-and-copy) with {@code values} values of {@code valueBytes} bytes in
     * all: the successor maps memory for them ({@link KvHeapReserve}), runs its receiving code once on throwaway
     * data and answers {@link Ready}.
     */
    record Prepare(long valueBytes, long values) implements Frame {
    }

    /** The successor is ready for the content: its receiving code has just run. */
    record Ready() implements Frame {
    }

    record RoundEnd(int round) implements Frame {
    }

    /** The successor has installed everything up to the end of that round. */
    record RoundAck(int round) implements Frame {
    }

    /** The freeze: the service's version, its reply cache, and (not post-copy) the content's digest. */
    record Final(long version, byte[] replyCache, long digest) implements Frame {
    }

    record Ack(long digest) implements Frame {
    }

    record PushEnd() implements Frame {
    }

    record Done() implements Frame {
    }

    record Forward(byte[] payload, InetSocketAddress source) implements Frame {
    }

    record Fetch(String key) implements Frame {
    }

    record Value(Item item) implements Frame {
    }

    /** A post-copy write of the successor, mirrored to the source so that a rollback keeps it. */
    record Mirror(long id, Item item, String client, long seq, String reply) implements Frame {
    }

    record MirrorAck(long id) implements Frame {
    }

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private long bytesSent;
    /** Where received batches and warm-up padding are read into, reused: the content is read once and installed. */
    private byte[] received = new byte[KvBatch.TARGET_BYTES + (64 << 10)];

    KvStateLink(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
    }

    synchronized void hello(byte kind) throws IOException {
        out.writeByte(kind);
        out.flush();
    }

    /** Old side: the kind of link the successor opened, from its hello; {@link #welcome} answers it. */
    byte awaitHello(int timeoutMillis) throws IOException {
        byte kind = TimedRead.readByte(socket, in, timeoutMillis);
        if (kind != HELLO_BULK && kind != HELLO_FAST) {
            throw new IOException("a successor must say hello first");
        }
        return kind;
    }

    /** Old side: the answer to the hello, a no-op (see {@link StateChannel}), once the link is taken. */
    void welcome() throws IOException {
        noop();
    }

    /** New side: the old instance's answer to the hello, within {@code timeoutMillis}. */
    void awaitWelcome(int timeoutMillis) throws IOException {
        if (TimedRead.readByte(socket, in, timeoutMillis) != NOOP) {
            throw new IOException("the old instance did not answer the hello");
        }
    }

    /** The begin frame; it leaves with the next frame that is flushed. */
    synchronized void begin(char strategy) throws IOException {
        out.writeByte(BEGIN);
        out.writeByte(strategy);
    }

    /** Content; the next frame or {@link #flushWithProbe} sends what is left in the buffer. */
    synchronized void entries(KvBatch batch) throws IOException {
        out.writeByte(ENTRIES);
        out.writeInt(batch.length());
        out.writeInt(batch.count());
        out.write(batch.bytes(), 0, batch.length());
        bytesSent += batch.length() + 9;
    }

    /** Old side: padding of {@code length} bytes, which the successor acknowledges when it has read it. */
    synchronized void warmUp(int length) throws IOException {
        out.writeByte(WARM_UP);
        out.writeInt(length);
        byte[] zeros = new byte[Math.min(length, 64 << 10)];
        for (int left = length; left > 0; left -= zeros.length) {
            out.write(zeros, 0, Math.min(left, zeros.length));
        }
        flushWithProbe();
    }

    synchronized void warmUpAck(int length) throws IOException {
        out.writeByte(WARM_UP_ACK);
        out.writeInt(length);
        flushWithProbe();
    }

    synchronized void prepare(long valueBytes, long values) throws IOException {
        out.writeByte(PREPARE);
        out.writeLong(valueBytes);
        out.writeLong(values);
        flushWithProbe();
    }

    synchronized void ready() throws IOException {
        out.writeByte(READY);
        flushWithProbe();
    }

    synchronized void roundEnd(int round) throws IOException {
        out.writeByte(ROUND_END);
        out.writeInt(round);
        flushWithProbe();
    }

    synchronized void roundAck(int round) throws IOException {
        out.writeByte(ROUND_ACK);
        out.writeInt(round);
        flushWithProbe();
    }

    /** The final frame; returns when it was handed to the kernel (nanoseconds since the epoch), before the probe. */
    synchronized long fin(long version, byte[] replyCache, long digest) throws IOException {
        out.writeByte(FINAL);
        out.writeLong(version);
        out.writeInt(replyCache.length);
        out.write(replyCache);
        out.writeLong(digest);
        bytesSent += replyCache.length + 21;
        out.flush();
        long written = AppEvents.epochNanos(Instant.now());
        noop();
        return written;
    }

    synchronized void ack(long digest) throws IOException {
        out.writeByte(ACK);
        out.writeLong(digest);
        flushWithProbe();
    }

    synchronized void pushEnd() throws IOException {
        out.writeByte(PUSH_END);
        flushWithProbe();
    }

    synchronized void done() throws IOException {
        out.writeByte(DONE);
        flushWithProbe();
    }

    synchronized void forward(byte[] payload, int length, InetSocketAddress source) throws IOException {
        byte[] address = source.getAddress().getAddress();
        out.writeByte(FORWARD);
        out.writeByte(address.length);
        out.write(address);
        out.writeShort(source.getPort());
        out.writeShort(length);
        out.write(payload, 0, length);
        out.flush();
    }

    synchronized void fetch(String key) throws IOException {
        out.writeByte(FETCH);
        out.writeUTF(key);
        flushWithProbe();
    }

    synchronized void value(Item item) throws IOException {
        out.writeByte(VALUE);
        writeItem(item);
        flushWithProbe();
    }

    synchronized void mirror(long id, Item item, String client, long seq, String reply) throws IOException {
        out.writeByte(MIRROR);
        out.writeLong(id);
        writeItem(item);
        out.writeUTF(client);
        out.writeLong(seq);
        out.writeUTF(reply);
        flushWithProbe();
    }

    synchronized void mirrorAck(long id) throws IOException {
        out.writeByte(MIRROR_ACK);
        out.writeLong(id);
        flushWithProbe();
    }

    /** Hands what is buffered to the kernel. */
    synchronized void flush() throws IOException {
        out.flush();
    }

    /**
     * Hands what is buffered to the kernel, then a no-op in a segment of its own: if the frame's last segment is
     * lost, the other side's selective acknowledgement of the no-op has it resent about a round trip later, not
     * after the retransmission timeout. The successor's answers (warm-up and round acknowledgements, ready, the
     * acknowledgement, done) go this way like the old instance's frames.
     */
    synchronized void flushWithProbe() throws IOException {
        out.flush();
        noop();
    }

    private synchronized void noop() throws IOException {
        out.writeByte(NOOP);
        out.flush();
    }

    private void writeItem(Item i) throws IOException {
        out.writeUTF(i.key());
        out.writeLong(i.version());
        if (i.value() == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(i.value().length);
            out.write(i.value());
        }
    }

    private Item readItem() throws IOException {
        String key = in.readUTF();
        long version = in.readLong();
        int n = in.readInt();
        if (n < -1 || n > KvProtocol.MAX_VALUE * 1000) {
            throw new IOException("entry of " + n + " bytes refused");
        }
        return new Item(key, version, n < 0 ? null : readExactly(n));
    }

    private byte[] readInto(int n) throws IOException {
        if (received.length < n) {
            received = new byte[n];
        }
        in.readFully(received, 0, n);
        return received;
    }

    private byte[] readExactly(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new EOFException("cut short after " + b.length + " of " + n + " bytes");
        }
        return b;
    }

    /** The next frame (no-ops skipped), or null at the end of the stream. */
    Frame next() throws IOException {
        byte type;
        do {
            try {
                type = in.readByte();
            } catch (EOFException e) {
                return null;
            }
        } while (type == NOOP);
        return switch (type) {
            case BEGIN -> new Begin((char) in.readByte());
            case ENTRIES -> {
                int length = in.readInt();
                int count = in.readInt();
                if (length < 0 || length > MAX_BATCH_BYTES || count < 0 || count > length) {
                    throw new IOException("batch of " + count + " entries in " + length + " bytes refused");
                }
                yield new Entries(readInto(length), length, count);
            }
            case WARM_UP -> {
                int length = in.readInt();
                if (length < 0 || length > MAX_WARM_UP_BYTES) {
                    throw new IOException("warm-up of " + length + " bytes refused");
                }
                for (int left = length; left > 0; ) {
                    int n = in.read(received, 0, Math.min(left, received.length));
                    if (n < 0) {
                        throw new EOFException("warm-up cut short");
                    }
                    left -= n;
                }
                yield new WarmUp(length);
            }
            case WARM_UP_ACK -> new WarmUpAck(in.readInt());
            case ROUND_END -> new RoundEnd(in.readInt());
            case ROUND_ACK -> new RoundAck(in.readInt());
            case FINAL -> {
                long version = in.readLong();
                int n = in.readInt();
                if (n < 0 || n > 64 << 20) {
                    throw new IOException("reply cache of " + n + " bytes refused");
                }
                yield new Final(version, readExactly(n), in.readLong());
            }
            case ACK -> new Ack(in.readLong());
            case PUSH_END -> new PushEnd();
            case PREPARE -> {
                long valueBytes = in.readLong();
                long values = in.readLong();
                if (valueBytes < 0 || values < 0) {
                    throw new IOException("announcement of a content of " + values + " values in " + valueBytes
                            + " bytes refused");
                }
                yield new Prepare(valueBytes, values);
            }
            case READY -> new Ready();
            case DONE -> new Done();
            case FORWARD -> {
                int len = in.readUnsignedByte();
                if (len != 4 && len != 16) {
                    throw new IOException("forwarded request with a " + len + "-byte address");
                }
                InetAddress address = InetAddress.getByAddress(readExactly(len));
                int port = in.readUnsignedShort();
                yield new Forward(readExactly(in.readUnsignedShort()), new InetSocketAddress(address, port));
            }
            case FETCH -> new Fetch(in.readUTF());
            case VALUE -> new Value(readItem());
            case MIRROR -> new Mirror(in.readLong(), readItem(), in.readUTF(), in.readLong(), in.readUTF());
            case MIRROR_ACK -> new MirrorAck(in.readLong());
            default -> throw new IOException("unexpected frame type " + type + " on the state link");
        };
    }

    /** Content bytes sent so far (entries and final frames). */
    synchronized long bytesSent() {
        return bytesSent;
    }

    void readTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    String peer() {
        return socket.getRemoteSocketAddress().toString().replaceFirst("^/", "");
    }

    /** Sends what is queued, waits up to {@code timeoutMillis} for the other side to close, then closes. */
    void finish(int timeoutMillis) {
        try {
            synchronized (this) {
                out.flush();
            }
        } catch (IOException e) {
            close(); // reset: nothing more can be delivered
            return;
        }
        OrderlyClose.finish(socket, in, timeoutMillis);
    }

    @Override
    public void close() {
        OrderlyClose.close(socket);
    }

    /** Successor: gives the link up with a reset, so nothing it sent is resent later (see OldInstanceConnector). */
    void abort() {
        OldInstanceConnector.abort(socket);
    }
}
