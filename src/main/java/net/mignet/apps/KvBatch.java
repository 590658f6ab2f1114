package net.mignet.apps;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A batch of entries as it crosses the state link, built in one array: per entry the key (uint16 length, ASCII),
 * the version (int64), the value's length (int32, -1 for none) and the value. Values are copied straight from
 * the service's native memory into the array and back out of it, so that moving the content costs two copies
 * and no object per entry: the state transfer runs near the link's rate.
 */
final class KvBatch {
    /** The size a batch is closed at; one entry may take it past that. */
    static final int TARGET_BYTES = 256 << 10;

    /** Receives the entries of a batch; {@code length} -1 means the key has no value. */
    interface Visitor {
        void entry(String key, long version, byte[] data, int offset, int length) throws IOException;
    }

    private byte[] bytes = new byte[TARGET_BYTES + (64 << 10)];
    private int length;
    private int count;

    void add(String key, long version, MemorySegment value) {
        byte[] k = key.getBytes(StandardCharsets.ISO_8859_1);
        int valueLength = value == null ? -1 : (int) value.byteSize();
        ensure(2 + k.length + 12 + Math.max(0, valueLength));
        ByteBuffer b = ByteBuffer.wrap(bytes, length, bytes.length - length);
        b.putShort((short) k.length).put(k).putLong(version).putInt(valueLength);
        length = b.position();
        if (value != null) {
            MemorySegment.copy(value, ValueLayout.JAVA_BYTE, 0, bytes, length, valueLength);
            length += valueLength;
        }
        count++;
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }

    byte[] bytes() {
        return bytes;
    }

    int length() {
        return length;
    }

    int count() {
        return count;
    }

    void clear() {
        length = 0;
        count = 0;
    }

    /** Calls {@code visitor} for each of the {@code count} entries in {@code data}. */
    static void forEach(byte[] data, int count, Visitor visitor) throws IOException {
        forEach(data, data.length, count, visitor);
    }

    /** Calls {@code visitor} for each of the {@code count} entries in the first {@code length} bytes of {@code data}. */
    static void forEach(byte[] data, int length, int count, Visitor visitor) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data, 0, length);
        try {
            for (int i = 0; i < count; i++) {
                next(b, data, visitor);
            }
        } catch (RuntimeException e) {
            throw new IOException("malformed batch: " + e, e);
        }
        if (b.hasRemaining()) {
            throw new IOException("batch has " + b.remaining() + " bytes too many");
        }
    }

    /**
     * The entry at {@code b}'s position, passed to {@code visitor}; leaves the position after it. A method of its own,
     * called per entry, so that it is compiled soon: {@link #forEach} runs a few times per migration only, and a
     * loop in a method that is not compiled runs interpreted however often it turns.
     */
    private static void next(ByteBuffer b, byte[] data, Visitor visitor) throws IOException {
        int keyLength = Short.toUnsignedInt(b.getShort());
        String key = new String(data, b.position(), keyLength, StandardCharsets.ISO_8859_1);
        b.position(b.position() + keyLength);
        long version = b.getLong();
        int valueLength = b.getInt();
        if (valueLength < -1 || valueLength > b.remaining()) {
            throw new IOException("entry of " + valueLength + " bytes in a batch of " + b.limit());
        }
        visitor.entry(key, version, data, b.position(), valueLength);
        b.position(b.position() + Math.max(0, valueLength));
    }
}
