package net.mignet.apps;

import java.util.Locale;

/**
 * One request of the key-value client as it records it: a CSV line, columns in this order (the {@link #HEADER}):
 * <ol>
 *   <li>{@code client}: the client's id</li>
 *   <li>{@code seq}: the request's number, from 1</li>
 *   <li>{@code op}: {@code get}, {@code put} or {@code delete}</li>
 *   <li>{@code key}</li>
 *   <li>{@code sent_ns}: first send, nanoseconds since the Unix epoch</li>
 *   <li>{@code replied_ns}: the reply, nanoseconds since the epoch; empty when it never came</li>
 *   <li>{@code result}: {@code ok}, {@code missing} (no such key), {@code error}, or {@code lost} (no reply
 *       within the client's {@code --give-up} time)</li>
 *   <li>{@code version}: the version the reply carried; empty when lost</li>
 *   <li>{@code retries}: how often it was sent again</li>
 * </ol>
 * No field contains a comma, a quote or a newline (keys and results are plain words).
 */
public record KvRequestRecord(String client, long seq, KvProtocol.Op op, String key, long sentNanos,
        long repliedNanos, String result, long version, int retries) {
    public static final String HEADER = "client,seq,op,key,sent_ns,replied_ns,result,version,retries";
    public static final long NONE = -1;

    public boolean answered() {
        return repliedNanos != NONE;
    }

    public String toCsv() {
        return String.join(",", client, Long.toString(seq), op.word(), key, Long.toString(sentNanos),
                answered() ? Long.toString(repliedNanos) : "", result, answered() ? Long.toString(version) : "",
                Integer.toString(retries));
    }

    /** Parses a line written by {@link #toCsv}; null for the header or any other line. */
    public static KvRequestRecord parse(String line) {
        String[] f = line.strip().split(",", -1);
        if (f.length != 9 || line.startsWith("client,")) {
            return null;
        }
        try {
            return new KvRequestRecord(f[0], Long.parseLong(f[1]), KvProtocol.Op.valueOf(f[2].toUpperCase(
                    Locale.ROOT)), f[3], Long.parseLong(f[4]), f[5].isEmpty() ? NONE : Long.parseLong(f[5]), f[6],
                    f[7].isEmpty() ? NONE : Long.parseLong(f[7]), Integer.parseInt(f[8]));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
