package net.mignet.apps;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The last replies to each client's writes, so that a retried put or delete is answered again instead of applied
 * twice (a retried get is simply answered again). A client has many requests in flight, so each keeps a window
 * of its {@link #WINDOW} newest writes; a write older than that is a stale duplicate and gets no reply. Part of
 * the state that migrates; replies to writes carry no value, so it stays small.
 */
final class KvReplyCache {
    static final int WINDOW = 512;
    static final int MAX_CLIENTS = 256;
    /** What {@link #lookup} returns for a stale duplicate. */
    static final String STALE = "";

    private final LinkedHashMap<String, TreeMap<Long, Cached>> byClient = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TreeMap<Long, Cached>> eldest) {
            return size() > MAX_CLIENTS;
        }
    };

    /**
     * A reply as it is kept: the usual reply to a write ({@code CLIENT SEQ ok|missing VERSION}) as its result's tag
     * and version, from which the text is made again when a retry asks for it; any other reply literally. The final
     * frame carries the cache during the freeze: kept this way, it is encoded and decoded without building a string.
     */
    private record Cached(int tag, long version, String literal) {
        static Cached of(String client, long seq, String reply) {
            String prefix = client + " " + seq + " ";
            if (reply.startsWith(prefix)) {
                for (int t = 1; t < RESULTS.length; t++) {
                    if (reply.startsWith(RESULTS[t] + " ", prefix.length())) {
                        long version = canonicalNumber(reply, prefix.length() + RESULTS[t].length() + 1);
                        if (version >= 0) {
                            return new Cached(t, version, null);
                        }
                    }
                }
            }
            return new Cached(LITERAL, -1, reply);
        }

        String text(String client, long seq) {
            return tag == LITERAL ? literal : client + " " + seq + " " + RESULTS[tag] + " " + version;
        }
    }

    /** The reply already sent to this request, {@link #STALE}, or null for a request not seen before. */
    String lookup(String client, long seq) {
        TreeMap<Long, Cached> replies = byClient.get(client);
        if (replies == null) {
            return null;
        }
        Cached r = replies.get(seq);
        if (r != null) {
            return r.text(client, seq);
        }
        return replies.size() >= WINDOW && seq < replies.firstKey() ? STALE : null;
    }

    void remember(String client, long seq, String reply) {
        TreeMap<Long, Cached> replies = byClient.computeIfAbsent(client, c -> new TreeMap<>());
        replies.put(seq, Cached.of(client, seq, reply));
        while (replies.size() > WINDOW) {
            replies.pollFirstEntry();
        }
    }

    /**
     * The cache as it goes in the final frame, compact because it is on the freeze's critical path: per client its
     * name and count, then per reply the sequence number as a delta from the previous one and, for the usual reply
     * to a write, only a tag and the version as a delta; any other reply is kept literally. 512 replies take about
     * 3 KB instead of 20 KB. Written into a plain array: through DataOutputStream and ByteArrayOutputStream each
     * byte took a lock, a tenth of a millisecond for a full window with the client compiler, during the freeze.
     */
    byte[] encode() {
        Bytes out = new Bytes();
        out.int32(byClient.size());
        for (Map.Entry<String, TreeMap<Long, Cached>> c : byClient.entrySet()) {
            out.utf(c.getKey());
            out.int32(c.getValue().size());
            long previousSeq = 0;
            long previousVersion = 0;
            for (Map.Entry<Long, Cached> r : c.getValue().entrySet()) {
                long seq = r.getKey();
                out.varLong(zigZag(seq - previousSeq));
                previousSeq = seq;
                Cached reply = r.getValue();
                out.byte8(reply.tag());
                if (reply.tag() == LITERAL) {
                    byte[] b = reply.literal().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                    out.int32(b.length);
                    out.bytes(b);
                } else {
                    out.varLong(zigZag(reply.version() - previousVersion));
                    previousVersion = reply.version();
                }
            }
        }
        return out.toArray();
    }

    /** What {@link #encode} made; read from the array directly, for the same reason. */
    static KvReplyCache decode(byte[] data) throws IOException {
        KvReplyCache cache = new KvReplyCache();
        Cursor in = new Cursor(data);
        try {
            int clients = in.int32();
            if (clients < 0 || clients > MAX_CLIENTS) {
                throw new IOException("reply cache names " + clients + " clients");
            }
            for (int i = 0; i < clients; i++) {
                String client = in.utf();
                int n = in.int32();
                if (n < 0 || n > WINDOW) {
                    throw new IOException("reply cache holds " + n + " replies for one client");
                }
                TreeMap<Long, Cached> replies = new TreeMap<>();
                long seq = 0;
                long version = 0;
                for (int j = 0; j < n; j++) {
                    seq += unZigZag(in.varLong());
                    int tag = in.byte8();
                    if (tag == LITERAL) {
                        int length = in.int32();
                        if (length < 0 || length > KvProtocol.MAX_VALUE + 200) {
                            throw new IOException("cached reply of " + length + " bytes");
                        }
                        replies.put(seq, new Cached(LITERAL, -1, in.latin1(length)));
                    } else if (tag < RESULTS.length) {
                        version += unZigZag(in.varLong());
                        replies.put(seq, new Cached(tag, version, null));
                    } else {
                        throw new IOException("cached reply of unknown kind " + tag);
                    }
                }
                cache.byClient.put(client, replies);
            }
        } catch (IndexOutOfBoundsException e) {
            throw new IOException("reply cache cut short", e);
        }
        if (in.position() != data.length) {
            throw new IOException("reply cache has " + (data.length - in.position()) + " bytes too many");
        }
        return cache;
    }

    /** A growable array, written big-endian as DataOutputStream would. */
    private static final class Bytes {
        private byte[] b = new byte[4096];
        private int n;

        private void ensure(int more) {
            if (n + more > b.length) {
                b = java.util.Arrays.copyOf(b, Math.max(b.length * 2, n + more));
            }
        }

        void byte8(int v) {
            ensure(1);
            b[n++] = (byte) v;
        }

        void int32(int v) {
            ensure(4);
            b[n++] = (byte) (v >>> 24);
            b[n++] = (byte) (v >>> 16);
            b[n++] = (byte) (v >>> 8);
            b[n++] = (byte) v;
        }

        void varLong(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                b[n++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            b[n++] = (byte) v;
        }

        void bytes(byte[] x) {
            ensure(x.length);
            System.arraycopy(x, 0, b, n, x.length);
            n += x.length;
        }

        /** In writeUTF's format (uint16 length, modified UTF-8), once per client. */
        void utf(String s) {
            ByteArrayOutputStream one = new ByteArrayOutputStream(2 + s.length());
            try (DataOutputStream out = new DataOutputStream(one)) {
                out.writeUTF(s);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            bytes(one.toByteArray());
        }

        byte[] toArray() {
            return java.util.Arrays.copyOf(b, n);
        }
    }

    /** Reads what {@link Bytes} wrote; past the end it throws IndexOutOfBoundsException. */
    private static final class Cursor {
        private final byte[] b;
        private int p;

        Cursor(byte[] b) {
            this.b = b;
        }

        int position() {
            return p;
        }

        int byte8() {
            return b[p++] & 0xFF;
        }

        int int32() {
            int v = (b[p] & 0xFF) << 24 | (b[p + 1] & 0xFF) << 16 | (b[p + 2] & 0xFF) << 8 | b[p + 3] & 0xFF;
            p += 4;
            return v;
        }

        long varLong() throws IOException {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int x = byte8();
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return v;
                }
            }
            throw new IOException("malformed number in the reply cache");
        }

        String latin1(int length) {
            java.util.Objects.checkFromIndexSize(p, length, b.length);
            String s = new String(b, p, length, java.nio.charset.StandardCharsets.ISO_8859_1);
            p += length;
            return s;
        }

        /** A string in writeUTF's format: ASCII read directly, anything else by DataInputStream. */
        String utf() throws IOException {
            int length = (b[p] & 0xFF) << 8 | b[p + 1] & 0xFF;
            java.util.Objects.checkFromIndexSize(p + 2, length, b.length);
            boolean ascii = true;
            for (int i = p + 2; i < p + 2 + length && ascii; i++) {
                ascii = b[i] > 0;
            }
            String s = ascii ? new String(b, p + 2, length, java.nio.charset.StandardCharsets.ISO_8859_1)
                    : new DataInputStream(new ByteArrayInputStream(b, p, 2 + length)).readUTF();
            p += 2 + length;
            return s;
        }
    }

    /** How a cached reply is encoded: literally, or as the reply to a write with this result. */
    private static final int LITERAL = 0;
    private static final String[] RESULTS = {null, "ok", "missing"};

    /** The number written in decimal from {@code from} to the end, as {@link Long#toString} writes it, or -1. */
    private static long canonicalNumber(String s, int from) {
        int digits = s.length() - from;
        if (digits < 1 || digits > 18 || digits > 1 && s.charAt(from) == '0') {
            return -1;
        }
        long v = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static long zigZag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unZigZag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }
}
