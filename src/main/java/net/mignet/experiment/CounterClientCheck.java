package net.mignet.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import net.mignet.app.App;
import net.mignet.app.LogLine;
import net.mignet.apps.CounterClient;

/**
 * The promise of the counter scenario, checked on a counter client's output: each reply carries the counter one
 * above the one before (no reset, repeat or skip), and no request stayed unanswered at the end.
 */
final class CounterClientCheck {
    private static final String UNANSWERED = "No reply to request ";

    private CounterClientCheck() {
    }

    static boolean isCounterClient(App app) {
        return app.argv().contains(CounterClient.class.getName());
    }

    /** What went wrong, one line each; empty when the client saw what it should. */
    static List<String> problems(App client) {
        List<String> problems = new ArrayList<>();
        Long previous = null;
        String last = null;
        for (LogLine line : client.log().lines(LogLine.Stream.STDOUT)) {
            last = line.text();
            OptionalLong counter;
            try {
                counter = CounterClient.counterIn(line.text());
            } catch (NumberFormatException e) {
                problems.add(client.name() + ": unreadable reply '" + line.text() + "'");
                continue;
            }
            if (counter.isEmpty()) {
                continue;
            }
            long value = counter.getAsLong();
            if (previous != null && value != previous + 1) {
                problems.add(client.name() + ": counter " + value + " followed " + previous + " at "
                        + line.time() + (value <= previous ? " (a reset or repeat)" : " (a request lost)"));
            }
            previous = value;
        }
        if (previous == null) {
            problems.add(client.name() + ": no reply at all");
        } else if (last != null && last.startsWith(UNANSWERED)) {
            problems.add(client.name() + ": ended waiting for a reply: " + last);
        }
        return problems;
    }
}
