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
     * 3 KB instead of 20 KB.
     */
    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(byClient.size());
            for (Map.Entry<String, TreeMap<Long, Cached>> c : byClient.entrySet()) {
                out.writeUTF(c.getKey());
                out.writeInt(c.getValue().size());
                long previousSeq = 0;
                long previousVersion = 0;
                for (Map.Entry<Long, Cached> r : c.getValue().entrySet()) {
                    long seq = r.getKey();
                    writeVarLong(out, zigZag(seq - previousSeq));
                    previousSeq = seq;
                    Cached reply = r.getValue();
                    out.writeByte(reply.tag());
                    if (reply.tag() == LITERAL) {
                        writeLong(out, reply.literal());
                    } else {
                        writeVarLong(out, zigZag(reply.version() - previousVersion));
                        previousVersion = reply.version();
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static KvReplyCache decode(byte[] data) throws IOException {
        KvReplyCache cache = new KvReplyCache();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int clients = in.readInt();
            if (clients < 0 || clients > MAX_CLIENTS) {
                throw new IOException("reply cache names " + clients + " clients");
            }
            for (int i = 0; i < clients; i++) {
                String client = in.readUTF();
                int n = in.readInt();
                if (n < 0 || n > WINDOW) {
                    throw new IOException("reply cache holds " + n + " replies for one client");
                }
                TreeMap<Long, Cached> replies = new TreeMap<>();
                long seq = 0;
                long version = 0;
                for (int j = 0; j < n; j++) {
                    seq += unZigZag(readVarLong(in));
                    int tag = in.readUnsignedByte();
                    if (tag == LITERAL) {
                        replies.put(seq, new Cached(LITERAL, -1, readLong(in)));
                    } else if (tag < RESULTS.length) {
                        version += unZigZag(readVarLong(in));
                        replies.put(seq, new Cached(tag, version, null));
                    } else {
                        throw new IOException("cached reply of unknown kind " + tag);
                    }
                }
                cache.byClient.put(client, replies);
            }
        }
        return cache;
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

    private static void writeVarLong(DataOutputStream out, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    private static long readVarLong(DataInputStream in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("malformed number in the reply cache");
    }

    /** Replies to gets carry values longer than writeUTF's 64 KB limit allows for with headers. */
    private static void writeLong(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readLong(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > KvProtocol.MAX_VALUE + 200) {
            throw new IOException("cached reply of " + n + " bytes");
        }
        return new String(in.readNBytes(n), java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
