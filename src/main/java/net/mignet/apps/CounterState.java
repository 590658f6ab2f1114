package net.mignet.apps;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything a counter service must hand over so that its successor continues exactly: the counter, and the
 * last reply sent to each client, so a request retried across the migration is answered, not counted again.
 */
public final class CounterState {
    /** Clients remembered; the oldest is forgotten first (a client sends one request at a time). */
    static final int MAX_CLIENTS = 10_000;

    private long counter;
    private final LinkedHashMap<String, Cached> lastReply = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            return size() > MAX_CLIENTS;
        }
    };

    record Cached(long seq, long counter) {
    }

    public long counter() {
        return counter;
    }

    /**
     * The reply to a request: a new count, the cached reply to a retry, or null for a request older than the
     * last one answered (a stale duplicate, which gets no reply).
     */
    public String answer(CounterProtocol.Request request) {
        if (!request.hasId()) {
            return request.reply(++counter);
        }
        Cached cached = lastReply.get(request.client());
        if (cached != null && request.seq() == cached.seq()) {
            return request.reply(cached.counter());
        }
        if (cached != null && request.seq() < cached.seq()) {
            return null;
        }
        long value = ++counter;
        lastReply.put(request.client(), new Cached(request.seq(), value));
        return request.reply(value);
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(counter);
            out.writeInt(lastReply.size());
            for (Map.Entry<String, Cached> e : lastReply.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(e.getValue().seq());
                out.writeLong(e.getValue().counter());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static CounterState decode(byte[] data) throws IOException {
        CounterState state = new CounterState();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            state.counter = in.readLong();
            int n = in.readInt();
            if (n < 0 || n > MAX_CLIENTS) {
                throw new IOException("state names " + n + " clients, more than " + MAX_CLIENTS);
            }
            for (int i = 0; i < n; i++) {
                state.lastReply.put(in.readUTF(), new Cached(in.readLong(), in.readLong()));
            }
            if (in.available() != 0) {
                throw new IOException("state has " + in.available() + " bytes too many");
            }
        }
        return state;
    }
}
