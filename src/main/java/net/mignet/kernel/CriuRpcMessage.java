package net.mignet.kernel;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The few messages of criu's RPC protocol (protobuf, {@code images/rpc.proto} of criu 4.x, documented at
 * criu.org/RPC) that a restore through {@link CriuService} needs, written and read by hand: one request type and
 * its answer do not justify a protobuf library.
 */
final class CriuRpcMessage {
    /** {@code criu_req_type}s. */
    static final int DUMP = 1;
    static final int RESTORE = 2;
    /** {@code criu_network_lock_method.NFTABLES}. */
    static final int NFTABLES = 2;

    private static final int VARINT = 0;
    private static final int LENGTH_DELIMITED = 2;

    private CriuRpcMessage() {
    }

    /** A protobuf message under construction: fields are appended in the order written. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer varint(int field, long value) {
            tag(field, VARINT);
            raw(value);
            return this;
        }

        Writer bool(int field, boolean value) {
            return varint(field, value ? 1 : 0);
        }

        Writer string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Writer message(int field, Writer value) {
            return bytes(field, value.toByteArray());
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }

        private Writer bytes(int field, byte[] value) {
            tag(field, LENGTH_DELIMITED);
            raw(value.length);
            out.writeBytes(value);
            return this;
        }

        private void tag(int field, int wireType) {
            raw(((long) field << 3) | wireType);
        }

        private void raw(long value) {
            long v = value;
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }
    }

    /**
     * criu's answer ({@code criu_resp}): whether it succeeded, the restored root's pid ({@code restore.pid}), and
     * criu's error number and message when it failed.
     */
    record Response(int type, boolean success, Optional<Integer> restoredPid, int errno, String errorMessage) {
        static Response parse(byte[] data) {
            Reader r = new Reader(data, 0, data.length);
            int type = -1;
            boolean success = false;
            Integer pid = null;
            int errno = 0;
            String message = "";
            while (r.more()) {
                long tag = r.varint();
                int field = (int) (tag >>> 3);
                int wire = (int) (tag & 7);
                switch (field) {
                    case 1 -> type = (int) r.varint();
                    case 2 -> success = r.varint() != 0;
                    case 4 -> {
                        Reader restore = r.nested();
                        while (restore.more()) {
                            long t = restore.varint();
                            if (t >>> 3 == 1 && (t & 7) == VARINT) {
                                pid = (int) restore.varint();
                            } else {
                                restore.skip((int) (t & 7));
                            }
                        }
                    }
                    case 7 -> errno = (int) r.varint();
                    case 9 -> message = r.string();
                    default -> r.skip(wire);
                }
            }
            return new Response(type, success, Optional.ofNullable(pid), errno, message);
        }
    }

    private static final class Reader {
        private final byte[] data;
        private int at;
        private final int end;

        Reader(byte[] data, int from, int end) {
            this.data = data;
            this.at = from;
            this.end = end;
        }

        boolean more() {
            return at < end;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (at >= end) {
                    throw new IllegalArgumentException("criu's answer ends inside a number");
                }
                byte b = data[at++];
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("criu's answer holds a number longer than 64 bits");
        }

        Reader nested() {
            int length = length();
            Reader r = new Reader(data, at, at + length);
            at += length;
            return r;
        }

        String string() {
            int length = length();
            String s = new String(data, at, length, StandardCharsets.UTF_8);
            at += length;
            return s;
        }

        void skip(int wireType) {
            switch (wireType) {
                case VARINT -> varint();
                case 1 -> at += 8;
                case LENGTH_DELIMITED -> {
                    int length = length(); // first: "at += length()" would add to the position before the length
                    at += length;
                }
                case 5 -> at += 4;
                default -> throw new IllegalArgumentException("criu's answer holds a field of wire type " + wireType);
            }
        }

        private int length() {
            long length = varint();
            if (length < 0 || length > end - at) {
                throw new IllegalArgumentException("criu's answer holds a field longer than the answer");
            }
            return (int) length;
        }
    }
}
