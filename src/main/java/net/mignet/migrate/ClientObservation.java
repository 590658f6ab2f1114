package net.mignet.migrate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.mignet.app.App;
import net.mignet.app.LogLine;
import net.mignet.app.AppEvents;

/**
 * What a client saw of a migration, computed from the reply events of mignet's counter client.
 *
 * @param downtime   the longest extra wait of any request answered during the migration: its time from first
 *                   send to reply, less the client's usual round trip before the migration
 * @param largestGap the largest gap between two consecutive replies in the same window (includes the client's
 *                   own sending interval)
 * @param retries    retransmissions of the requests in the window
 * @param requests   requests answered in the window
 * @param usualRtt   the median round trip of the requests before the migration
 * @param cutOff     no request sent after the migration was answered within the wait: the service is out of the
 *                   client's reach (e.g. nothing redirected its traffic), and {@code downtime} is only a lower bound,
 *                   from the migration's start to the wait's end
 */
public record ClientObservation(Duration downtime, Duration largestGap, int retries, int requests,
        Duration usualRtt, boolean cutOff) {

    public ClientObservation(Duration downtime, Duration largestGap, int retries, int requests, Duration usualRtt) {
        this(downtime, largestGap, retries, requests, usualRtt, false);
    }

    /** How far before a migration replies are read for the client's usual round trip. */
    private static final Duration BASELINE = Duration.ofMinutes(1);

    /** One answered request of the client. */
    record Reply(long seq, long counter, Instant sent, Instant replied, int retries) {
        Duration roundTrip() {
            return Duration.between(sent, replied);
        }
    }

    /** The replies of the last minute before {@code start} (enough for the usual round trip) and after. */
    static List<Reply> replies(App client, Instant start) {
        List<Reply> replies = new ArrayList<>();
        // Either stream: mignet's clients print their events on standard error, a user's client may use standard
        // output, as the documented format lets it; its counter (or version) is optional.
        for (LogLine line : client.log().linesSince(start.minus(BASELINE), null)) {
            AppEvents.Event e = AppEvents.parse(line.text());
            if (e != null && e.name().equals("reply")) {
                replies.add(new Reply(e.longField("seq"), e.fields().containsKey("counter") ? e.longField("counter") : -1,
                        AppEvents.instant(e.longField("sent")), AppEvents.instant(e.longField("replied")),
                        (int) e.longField("retries")));
            }
        }
        return replies;
    }

    /**
     * Waits (up to {@code timeout}) for the client's first reply to a request sent after {@code end}, so every
     * request the migration touched has been answered, then computes the observation for [start, end].
     */
    static ClientObservation await(App client, Instant start, Instant end, Duration timeout)
            throws InterruptedException {
        long sentAfterEnd = AppEvents.epochNanos(end);
        boolean answered = client.log().await(l -> {
            AppEvents.Event e = AppEvents.parse(l.text());
            return e != null && e.name().equals("reply") && e.longField("sent") > sentAfterEnd;
        }, timeout).isPresent();
        ClientObservation seen = compute(replies(client, start), start, end);
        if (answered || !client.isRunning()) {
            return seen;
        }
        // Still asking and never answered since: reporting only the replies that came would call this no downtime.
        Duration atLeast = Duration.between(start, Instant.now());
        return new ClientObservation(atLeast.compareTo(seen.downtime()) > 0 ? atLeast : seen.downtime(),
                seen.largestGap(), seen.retries(), seen.requests(), seen.usualRtt(), true);
    }

    static ClientObservation compute(List<Reply> all, Instant start, Instant end) {
        List<Duration> before = all.stream().filter(r -> r.replied().isBefore(start) && r.retries() == 0)
                .map(Reply::roundTrip).toList();
        before = before.subList(Math.max(0, before.size() - 50), before.size());
        Duration usual = before.isEmpty() ? Duration.ZERO
                : before.stream().sorted().toList().get(before.size() / 2);
        Duration downtime = Duration.ZERO;
        Duration gap = Duration.ZERO;
        int retries = 0;
        int requests = 0;
        Instant previousReply = null;
        for (Reply r : all) {
            boolean touched = !r.replied().isBefore(start) && !r.sent().isAfter(end);
            boolean inWindow = !r.replied().isBefore(start) && (previousReply == null || !previousReply.isAfter(end));
            if (inWindow && previousReply != null) {
                Duration g = Duration.between(previousReply, r.replied());
                gap = g.compareTo(gap) > 0 ? g : gap;
            }
            if (touched) {
                requests++;
                retries += r.retries();
                Duration extra = r.roundTrip().minus(usual);
                downtime = extra.compareTo(downtime) > 0 ? extra : downtime;
            }
            previousReply = r.replied();
        }
        return new ClientObservation(downtime, gap, retries, requests, usual);
    }
}
