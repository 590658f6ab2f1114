package net.mignet.apps;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The counter service's datagrams. The original example's request is the plain text
 * {@code Show me the counter, please!}, answered with the counter in decimal. mignet's client appends a request
 * id, {@code Show me the counter, please! [c1:42]}, and the reply carries it back, {@code 7 [c1:42]}, so a
 * retried request is answered from the reply cache instead of being counted twice.
 */
public final class CounterProtocol {
    public static final String REQUEST = "Show me the counter, please!";
    private static final Pattern ID = Pattern.compile(" \\[([A-Za-z0-9_.-]{1,32}):(\\d{1,18})]$");
    private static final Pattern REPLY = Pattern.compile("(\\d+)(?: \\[([A-Za-z0-9_.-]{1,32}):(\\d{1,18})])?");

    private CounterProtocol() {
    }

    /** A request; {@code client} is null for the original plain request, which has no id. */
    public record Request(String client, long seq) {
        public boolean hasId() {
            return client != null;
        }

        public String encode() {
            return hasId() ? REQUEST + " [" + client + ":" + seq + "]" : REQUEST;
        }

        public String reply(long counter) {
            return hasId() ? counter + " [" + client + ":" + seq + "]" : Long.toString(counter);
        }
    }

    /** A reply: the counter, and the id of the request it answers (null client for a plain reply). */
    public record Reply(long counter, String client, long seq) {
    }

    /** Parses a request, or returns null for a datagram that is not one (which the service ignores). */
    public static Request parseRequest(String text) {
        String t = text.strip();
        if (t.equals(REQUEST)) {
            return new Request(null, 0);
        }
        Matcher m = ID.matcher(t);
        if (m.find() && t.substring(0, m.start()).equals(REQUEST)) {
            return new Request(m.group(1), Long.parseLong(m.group(2)));
        }
        return null;
    }

    public static Reply parseReply(String text) {
        Matcher m = REPLY.matcher(text.strip());
        if (!m.matches()) {
            return null;
        }
        return m.group(2) == null ? new Reply(Long.parseLong(m.group(1)), null, 0)
                : new Reply(Long.parseLong(m.group(1)), m.group(2), Long.parseLong(m.group(3)));
    }
}
