package net.mignet.apps;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.zip.CRC32;

/**
 * The TCP connection between a service instance and its successor over the internal network. The successor
 * opens it when it starts, so the handover itself costs one round trip: the old instance sends its state, the
 * successor acknowledges it with the state's checksum, and only then does the old instance stop counting.
 * Afterwards the old instance forwards the requests that still reach it, so none is lost while the switch's
 * flow table changes. TCP makes loss and duplication on the internal link harmless; one-byte frames (the
 * answer to the hello, a probe behind the state) keep a lost state segment from waiting long for TCP's
 * retransmission timeout.
 */
final class StateChannel implements AutoCloseable {
    private static final byte STATE = 'S';
    private static final byte ACK = 'A';
    private static final byte FORWARD = 'F';
    private static final byte HELLO = 'H';
    private static final byte NOOP = 'N';
    static final int MAX_STATE_BYTES = 64 << 20;

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    StateChannel(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 8192));
        // Buffered, flushed per frame: a frame leaves as one segment, not one per field.
        this.out = new DataOutputStream(new java.io.BufferedOutputStream(socket.getOutputStream(), 8192));
    }

    /** A request forwarded by the old instance: the datagram and whom to answer. */
    record Forwarded(byte[] payload, InetSocketAddress source) {
    }

    static long checksum(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return crc.getValue();
    }

    /**
     * New side: the first bytes on the connection. Data makes the handshake complete on both ends even when
     * its last ACK is lost (TCP retransmits data, not bare ACKs), so the old instance surely knows its successor.
     */
    void sendHello() throws IOException {
        out.writeByte(HELLO);
        out.flush();
    }

    /** Old side: waits up to {@code timeoutMillis} for the successor's hello; {@link #welcome} answers it. */
    void awaitHello(int timeoutMillis) throws IOException {
        if (TimedRead.readByte(socket, in, timeoutMillis) != HELLO) {
            throw new IOException("a successor must say hello first");
        }
    }

    /**
     * Old side: answers the hello with one byte, once the connection is the successor's. TCP times
     * retransmissions from the round trips it measured. The handshake gives this side one, unless its SYN-ACK had
     * to be resent (lost); then the first lost state segment would wait 1-3 s. The answer's acknowledgement gives
     * it a measurement in that case too.
     */
    void welcome() throws IOException {
        sendTailProbe();
    }

    /** New side: waits up to {@code timeoutMillis} for the old instance's answer to the hello ({@link #welcome}). */
    void awaitWelcome(int timeoutMillis) throws IOException {
        if (TimedRead.readByte(socket, in, timeoutMillis) != NOOP) {
            throw new IOException("the old instance did not answer the hello");
        }
    }

    /** Old side: sends the state; {@link #awaitAck} then waits for its acknowledgement. */
    void sendState(byte[] state) throws IOException {
        out.writeByte(STATE);
        out.writeInt(state.length);
        out.write(state);
        out.writeLong(checksum(state));
        out.flush();
        sendTailProbe();
    }

    /**
     * A one-byte frame in a segment of its own, right behind a frame that must not wait: if that frame's last
     * segment is lost, the probe's selective ack makes TCP resend it about one round trip later (RACK), where
     * with a single segment in flight it would wait for the retransmission timeout, 200 ms at least.
     */
    private void sendTailProbe() throws IOException {
        out.writeByte(NOOP);
        out.flush();
    }

    /** Old side: waits up to {@code timeoutMillis} for the successor to acknowledge exactly {@code state}. */
    void awaitAck(byte[] state, int timeoutMillis) throws IOException {
        int previous = socket.getSoTimeout();
        socket.setSoTimeout(timeoutMillis);
        try {
            if (in.readByte() != ACK) {
                throw new IOException("successor answered the state with something other than an ack");
            }
            long acked = in.readLong();
            if (acked != checksum(state)) {
                throw new IOException("successor acknowledged checksum " + acked + ", not the state sent");
            }
        } finally {
            socket.setSoTimeout(previous);
        }
    }

    /** New side: receives the state, verifies its checksum, acknowledges it. */
    byte[] receiveState() throws IOException {
        byte type = in.readByte();
        if (type != STATE) {
            throw new IOException("expected the state first, got frame type " + type);
        }
        int length = in.readInt();
        if (length < 0 || length > MAX_STATE_BYTES) {
            throw new IOException("state of " + length + " bytes refused");
        }
        byte[] state = in.readNBytes(length);
        if (state.length != length) {
            throw new EOFException("state cut short after " + state.length + " of " + length + " bytes");
        }
        long sum = in.readLong();
        if (sum != checksum(state)) {
            throw new IOException("state checksum mismatch");
        }
        return state;
    }

    void acknowledge(byte[] state) throws IOException {
        out.writeByte(ACK);
        out.writeLong(checksum(state));
        out.flush();
    }

    /** Old side, after the handover: passes on a request that reached it late. */
    void forward(byte[] payload, int length, InetSocketAddress source) throws IOException {
        byte[] address = source.getAddress().getAddress(); // 4 bytes for IPv4, 16 for IPv6
        out.writeByte(FORWARD);
        out.writeByte(address.length);
        out.write(address);
        out.writeShort(source.getPort());
        out.writeShort(length);
        out.write(payload, 0, length);
        out.flush();
    }

    /** New side: the next forwarded request, or null when the old instance has closed the channel. */
    Forwarded nextForwarded() throws IOException {
        byte type;
        do {
            try {
                type = in.readByte();
            } catch (EOFException e) {
                return null;
            }
        } while (type == NOOP);
        if (type != FORWARD) {
            throw new IOException("unexpected frame type " + type + " after the state");
        }
        int addressLength = in.readUnsignedByte();
        if (addressLength != 4 && addressLength != 16) {
            throw new IOException("forwarded request with a " + addressLength + "-byte address");
        }
        byte[] address = in.readNBytes(addressLength);
        int port = in.readUnsignedShort();
        int length = in.readUnsignedShort();
        byte[] payload = in.readNBytes(length);
        return new Forwarded(payload, new InetSocketAddress(InetAddress.getByAddress(address), port));
    }

    String peer() {
        return socket.getRemoteSocketAddress().toString().replaceFirst("^/", "");
    }

    /**
     * Old side, at the end: sends everything still queued, waits up to {@code timeoutMillis} for the successor
     * to close its end, then closes. A plain close while unread bytes sit in the receive buffer makes the kernel
     * reset the connection and drop what was not yet delivered, such as the last forwarded requests.
     */
    void finish(int timeoutMillis) {
        try {
            out.flush();
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
}
