package net.mignet.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growing buffer of netlink messages and attributes. Headers and attribute headers are in host order, as
 * netlink wants; nf_tables' numbers are big-endian, which {@link #be32} and {@link #be64} write.
 */
final class NetlinkMessages {
    static final short NLA_F_NESTED = (short) 0x8000;

    private ByteBuffer buf;

    NetlinkMessages() {
        this(1 << 14);
    }

    NetlinkMessages(int capacity) {
        buf = ByteBuffer.allocate(capacity).order(ByteOrder.nativeOrder());
    }

    /** Starts a message: its header, then the {@code nfgenmsg} of nfnetlink; returns its start for {@link #end}. */
    int begin(int type, int flags, int sequence, int family, int resId) {
        ensure(20);
        int start = buf.position();
        buf.putInt(0).putShort((short) type).putShort((short) flags).putInt(sequence).putInt(0);
        // nfgenmsg: family, version 0, and the resource id in network order.
        buf.put((byte) family).put((byte) 0).put((byte) (resId >>> 8)).put((byte) resId);
        return start;
    }

    void end(int start) {
        buf.putInt(start, buf.position() - start);
    }

    /** Starts a nested attribute; returns its start for {@link #endNested}. */
    int nested(int type) {
        ensure(4);
        int start = buf.position();
        buf.putShort((short) 0).putShort((short) (type | NLA_F_NESTED));
        return start;
    }

    void endNested(int start) {
        buf.putShort(start, (short) (buf.position() - start));
    }

    /**
     * Closes an expression opened as list element, name attribute and nested data: sets the lengths of the data
     * and of the element that starts at {@code elem}.
     */
    void endExpression(int elem) {
        int nameLength = buf.getShort(elem + 4) & 0xffff;
        int data = elem + 4 + align(nameLength);
        endNested(data);
        endNested(elem);
    }

    void bytes(int type, byte[] payload) {
        int length = 4 + payload.length;
        ensure(length + 4);
        buf.putShort((short) length).putShort((short) type).put(payload);
        for (int pad = align(length) - length; pad > 0; pad--) {
            buf.put((byte) 0);
        }
    }

    /** A NUL-terminated string; ASCII (names of tables, chains, expressions) is written without a copy. */
    void string(int type, String value) {
        int n = value.length();
        for (int i = 0; i < n; i++) {
            if (value.charAt(i) >= 0x80) {
                bytes(type, (value + "\0").getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
        int length = 4 + n + 1;
        ensure(length + 4);
        buf.putShort((short) length).putShort((short) type);
        for (int i = 0; i < n; i++) {
            buf.put((byte) value.charAt(i));
        }
        buf.put((byte) 0);
        for (int pad = align(length) - length; pad > 0; pad--) {
            buf.put((byte) 0);
        }
    }

    void be32(int type, int value) {
        ensure(8);
        buf.putShort((short) 8).putShort((short) type).putInt(Integer.reverseBytes(
                buf.order() == ByteOrder.BIG_ENDIAN ? Integer.reverseBytes(value) : value));
    }

    void be64(int type, long value) {
        ensure(12);
        buf.putShort((short) 12).putShort((short) type).putLong(buf.order() == ByteOrder.BIG_ENDIAN ? value
                : Long.reverseBytes(value));
    }

    int size() {
        return buf.position();
    }

    byte[] toArray() {
        return Arrays.copyOf(buf.array(), buf.position());
    }

    void clear() {
        buf.clear();
    }

    /** The bytes written since {@code start}. */
    byte[] since(int start) {
        return Arrays.copyOfRange(buf.array(), start, buf.position());
    }

    /** Appends bytes written elsewhere (a rule's expressions, encoded once). */
    void raw(byte[] bytes) {
        ensure(bytes.length);
        buf.put(bytes);
    }

    static int align(int length) {
        return (length + 3) & ~3;
    }

    private void ensure(int more) {
        if (buf.remaining() < more + 64) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more + 1024))
                    .order(ByteOrder.nativeOrder());
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }
}
