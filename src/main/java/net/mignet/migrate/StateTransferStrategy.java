package net.mignet.migrate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.mignet.app.App;
import net.mignet.app.AppEvents;
import net.mignet.app.LogLine;

/**
 * The driver of mignet's state-transfer protocol ({@code docs/state-transfer-protocol.md}), which services such
 * as the built-in key-value service implement: the successor starts with {@code --state-from OLD:PORT} as in a
 * handover; {@code transfer STRATEGY ...} on the old instance's input starts the transfer; the instances report
 * its steps as events, from which this class times the phases. The flows move once the successor serves; the old
 * instance forwards what reaches it until then, and counts it. Each strategy says what it asks for, and whether
 * the migration may be kept once the successor serves or only once it has everything.
 */
abstract class StateTransferStrategy implements MigrationStrategy {
    /** How long a transfer may take beyond the options' done timeout: state bytes at 1 MB/s. */
    private static final long SLOWEST_BYTES_PER_SECOND = 1 << 20;

    private final int port;

    StateTransferStrategy(int port) {
        this.port = port;
    }

    /** The line that starts the transfer on the old instance's input. */
    abstract String command(MigrationOptions options);

    /** Whether the successor serves before it has everything, so the migration is kept only once it has. */
    boolean completesAfterServing() {
        return false;
    }

    @Override
    public App migrate(MigrationContext ctx) throws Exception {
        App successor = new HandoverStrategy(port).start(ctx);
        App old = ctx.app();
        ctx.disturbed();
        Instant triggered = Instant.now();
        // Planned before the freeze: the plan copies the old host's neighbours to the new one, which must
        // answer the requests waiting for it without first asking ARP who sent them.
        TrafficMove traffic = ctx.traffic();
        String command = command(ctx.options());
        ctx.log("*** " + old.name() + ": " + command);
        old.sendLine(command);
        AppEvents.Event started = AppEventWait.await(old, "transfer-started", triggered,
                ctx.options().doneTimeout(), old, "handover-failed");
        Duration limit = ctx.options().doneTimeout()
                .plusSeconds(started.longField("bytes") / SLOWEST_BYTES_PER_SECOND);
        AppEvents.Event received = AppEventWait.await(successor, "state-received", triggered, limit, old,
                "handover-failed");
        AppEvents.Event handed = AppEventWait.await(old, "handed-over", triggered, limit, old, "handover-failed");
        // The flows move once the successor serves and the old instance has its acknowledgement. Until then the old
        // instance serves (pre-copy's rounds) or forwards what reaches it to the successor, which answers it the
        // moment it serves: moved earlier, the requests would wait at the successor while the old instance could
        // still answer them, and the flow change (kernel work on this busy machine's few cores) would delay the
        // content or the acknowledgement on their way, the service paused all along.
        redirect(ctx, traffic);
        if (received.longField("digest") != handed.longField("digest")) {
            throw new IllegalStateException(successor.name() + " acknowledged content digest "
                    + received.longField("digest") + ", not the old instance's " + handed.longField("digest"));
        }
        Optional<AppEvents.Event> complete = Optional.empty();
        if (completesAfterServing()) {
            complete = Optional.of(AppEventWait.await(old, "transfer-complete", triggered, limit, old,
                    "handover-failed"));
        }
        ctx.commit();
        PhaseClock clock = new PhaseClock();
        recordPhases(ctx, clock, old, successor, triggered, received, handed, complete);
        Duration gap = Duration.ofNanos(received.longField("at") - handed.longField("frozen"));
        ctx.serviceGap(gap.isNegative() ? Duration.ZERO : gap);
        ctx.stateBytes(complete.map(e -> e.longField("bytes")).orElse(handed.longField("bytes")));
        ctx.phase("retire", () -> {
            // Requests already past the switch when it changed still reach the old instance, which forwards them.
            Thread.sleep(Links.worstDelay(ctx.net(), ctx.from()).multipliedBy(2).plusMillis(20));
            old.stop(Duration.ofSeconds(5));
            ctx.apps().replace(old, successor);
        });
        // The old instance counts the requests it forwarded, up to its exit.
        AppEventWait.find(old, "forwarded", triggered).ifPresent(e -> ctx.requestsForwarded(e.longField("count")));
        return successor;
    }

    private static void redirect(MigrationContext ctx, TrafficMove traffic) throws Exception {
        long r0 = System.nanoTime();
        traffic.redirect();
        ctx.record("redirect", r0, System.nanoTime());
        ctx.onRollback("flows back to " + ctx.from().name(), traffic::undo);
    }

    /**
     * prepare (stop-and-copy's announcement of the freeze, while serving), snapshot and rounds (pre-copy, while
     * serving), freeze (old instance frozen until the successor serves),
     * transfer (the content on the state link: all of it, or post-copy's push after the successor serves) and
     * resume (from the successor being ready until it serves).
     */
    private void recordPhases(MigrationContext ctx, PhaseClock clock, App old, App successor, Instant since,
            AppEvents.Event received, AppEvents.Event handed, Optional<AppEvents.Event> complete) {
        // Stop-and-copy's announcement of the freeze: while serving, one round trip, then both sides' rehearsal.
        events(old, "prepared", since).stream().findFirst().ifPresent(p -> ctx.record("prepare",
                clock.nanoTime(p.longField("start")), clock.nanoTime(p.longField("end"))));
        List<AppEvents.Event> rounds = events(old, "round", since);
        if (!rounds.isEmpty()) {
            AppEvents.Event first = rounds.getFirst();
            ctx.record("snapshot", clock.nanoTime(first.longField("start")), clock.nanoTime(first.longField("end")));
            if (rounds.size() > 1) {
                ctx.record("rounds", clock.nanoTime(rounds.get(1).longField("start")),
                        clock.nanoTime(rounds.getLast().longField("end")));
            }
        }
        long frozen = clock.nanoTime(handed.longField("frozen"));
        long ready = clock.nanoTime(received.longField("at"));
        ctx.record("freeze", frozen, Math.max(frozen, ready));
        if (complete.isPresent()) {
            ctx.record("transfer", clock.nanoTime(handed.longField("at")),
                    clock.nanoTime(complete.get().longField("at")));
        } else {
            long from = rounds.isEmpty() ? frozen : clock.nanoTime(rounds.getFirst().longField("start"));
            ctx.record("transfer", from, clock.nanoTime(handed.longField("at")));
        }
        AppEventWait.find(successor, "serving", since).filter(s -> s.fields().containsKey("at"))
                .ifPresent(s -> ctx.record("resume", ready, Math.max(ready, clock.nanoTime(s.longField("at")))));
    }

    private static List<AppEvents.Event> events(App app, String name, Instant since) {
        List<AppEvents.Event> found = new ArrayList<>();
        for (LogLine line : app.log().linesSince(since, LogLine.Stream.STDERR)) {
            AppEvents.Event e = AppEvents.parse(line.text());
            if (e != null && e.name().equals(name)) {
                found.add(e);
            }
        }
        return found;
    }

    /** Turns event times (nanoseconds since the epoch) into {@link System#nanoTime()} readings. */
    private static final class PhaseClock {
        private final long offset = System.nanoTime() - AppEvents.epochNanos(Instant.now());

        long nanoTime(long epochNanos) {
            return epochNanos + offset;
        }
    }
}
