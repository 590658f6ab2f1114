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

    private final LinkedHashMap<String, TreeMap<Long, String>> byClient = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TreeMap<Long, String>> eldest) {
            return size() > MAX_CLIENTS;
        }
    };

    /** The reply already sent to this request, {@link #STALE}, or null for a request not seen before. */
    String lookup(String client, long seq) {
        TreeMap<Long, String> replies = byClient.get(client);
        if (replies == null) {
            return null;
        }
        String r = replies.get(seq);
        if (r != null) {
            return r;
        }
        return replies.size() >= WINDOW && seq < replies.firstKey() ? STALE : null;
    }

    void remember(String client, long seq, String reply) {
        TreeMap<Long, String> replies = byClient.computeIfAbsent(client, c -> new TreeMap<>());
        replies.put(seq, reply);
        while (replies.size() > WINDOW) {
            replies.pollFirstEntry();
        }
    }

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(byClient.size());
            for (Map.Entry<String, TreeMap<Long, String>> c : byClient.entrySet()) {
                out.writeUTF(c.getKey());
                out.writeInt(c.getValue().size());
                for (Map.Entry<Long, String> r : c.getValue().entrySet()) {
                    out.writeLong(r.getKey());
                    writeLong(out, r.getValue());
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
                for (int j = 0; j < n; j++) {
                    long seq = in.readLong();
                    cache.remember(client, seq, readLong(in));
                }
            }
        }
        return cache;
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
