package net.mignet.apps;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The key-value service's requests and replies, one per UDP datagram or one per line over TCP, in ASCII:
 * <pre>
 *   request: CLIENT SEQ get KEY | CLIENT SEQ put KEY VALUE | CLIENT SEQ delete KEY
 *   reply:   CLIENT SEQ ok VERSION [VALUE] | CLIENT SEQ missing VERSION | CLIENT SEQ error WHY
 * </pre>
 * CLIENT and SEQ name the request: a retry carries the same pair and is answered from the service's reply
 * cache, never applied twice. VERSION is the version of the write that made the value (get), of this write
 * (put, delete), or the service's current version (missing). Keys and values contain no whitespace.
 */
public final class KvProtocol {
    public static final int MAX_VALUE = 60_000;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Pattern CLIENT = Pattern.compile("[A-Za-z0-9_.-]{1,32}");

    private KvProtocol() {
    }

    public enum Op {
        GET, PUT, DELETE;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public boolean writes() {
            return this != GET;
        }
    }

    public record Request(String client, long seq, Op op, String key, String value) {
        public String encode() {
            return client + " " + seq + " " + op.word() + " " + key + (value == null ? "" : " " + value);
        }
    }

    /** A reply; {@code result} is {@code ok}, {@code missing} or {@code error}. */
    public record Reply(String client, long seq, String result, long version, String value) {
        public String encode() {
            return client + " " + seq + " " + result + " " + version + (value == null ? "" : " " + value);
        }
    }

    /** Parses a request, or returns null for one that is malformed (which the service ignores). */
    public static Request parseRequest(byte[] data, int length) {
        String[] p = new String(data, 0, length, StandardCharsets.ISO_8859_1).strip().split(" ", 5);
        if (p.length < 4 || !CLIENT.matcher(p[0]).matches() || !NAME.matcher(p[3]).matches()) {
            return null;
        }
        long seq;
        try {
            seq = Long.parseLong(p[1]);
        } catch (NumberFormatException e) {
            return null;
        }
        return switch (p[2]) {
            case "get" -> p.length == 4 ? new Request(p[0], seq, Op.GET, p[3], null) : null;
            case "delete" -> p.length == 4 ? new Request(p[0], seq, Op.DELETE, p[3], null) : null;
            case "put" -> p.length == 5 && !p[4].isEmpty() && p[4].length() <= MAX_VALUE
                    && p[4].indexOf(' ') < 0 ? new Request(p[0], seq, Op.PUT, p[3], p[4]) : null;
            default -> null;
        };
    }

    public static Reply parseReply(String text) {
        String[] p = text.strip().split(" ", 5);
        if (p.length < 4) {
            return null;
        }
        try {
            long seq = Long.parseLong(p[1]);
            if (p[2].equals("error")) {
                return new Reply(p[0], seq, "error", -1, text.strip().split(" ", 4)[3]);
            }
            return new Reply(p[0], seq, p[2], Long.parseLong(p[3]), p.length == 5 ? p[4] : null);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
