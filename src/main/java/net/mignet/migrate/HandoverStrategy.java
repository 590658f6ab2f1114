package net.mignet.migrate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.mignet.app.App;
import net.mignet.app.AppEvents;
import net.mignet.topo.Ipv4Address;

/**
 * mignet's handover protocol ({@code docs/handover-protocol.md}), for services written for the lowest downtime:
 * the successor starts with {@code --state-from OLD:PORT} and connects to the old instance; {@code handover} on
 * the old instance's input makes it send its state, acknowledged before it stops counting; requests that still
 * reach it are forwarded. Because of that forwarding the flow change runs alongside the handover instead of
 * after it, and no frames need holding.
 */
final class HandoverStrategy implements MigrationStrategy {
    private final int port;

    HandoverStrategy(int port) {
        this.port = port;
    }

    @Override
    public String name() {
        return "handover";
    }

    @Override
    public App migrate(MigrationContext ctx) throws Exception {
        return handOver(ctx, start(ctx));
    }

    /** Starts the successor and waits until it is connected to the old instance. */
    App start(MigrationContext ctx) throws Exception {
        App old = ctx.app();
        ctx.log("*** Starting " + old.name() + " on " + ctx.target().name() + " to take the state from "
                + ctx.route().from());
        Instant started = Instant.now();
        return ctx.phase("start", () -> {
            App s = ctx.deploySuccessor(successorArgv(old, ctx.route().from()));
            AppEventWait.await(s, "awaiting-state", started, ctx.options().readyTimeout(), null, null);
            AppEventWait.await(old, "successor-connected", started, ctx.options().readyTimeout(), null, null);
            return s;
        });
    }

    /** Hands the state to the ready successor, with the flows changing alongside, and retires the old one. */
    App handOver(MigrationContext ctx, App successor) throws Exception {
        App old = ctx.app();
        TrafficMove traffic = ctx.traffic();
        ctx.disturbed();
        Instant triggered = Instant.now();
        ctx.phase("handover", () -> {
            old.sendLine("handover");
            long r0 = System.nanoTime();
            traffic.redirect();
            ctx.record("redirect", r0, System.nanoTime());
            ctx.onRollback("flows back to " + ctx.from().name(), traffic::undo);
            AppEvents.Event received = AppEventWait.await(successor, "state-received", triggered,
                    ctx.options().doneTimeout(), old, "handover-failed");
            AppEvents.Event handed = AppEventWait.await(old, "handed-over", triggered, ctx.options().doneTimeout(),
                    null, null);
            Duration gap = Duration.ofNanos(received.longField("at") - handed.longField("frozen"));
            ctx.stateBytes(received.longField("bytes"));
            ctx.serviceGap(gap.isNegative() ? Duration.ZERO : gap);
        });
        ctx.commit();
        ctx.phase("retire", () -> {
            // Requests already past the switch when it changed still reach the old instance, which forwards them.
            Thread.sleep(Links.worstDelay(ctx.net(), ctx.from()).multipliedBy(2).plusMillis(20));
            old.stop(Duration.ofSeconds(5));
            ctx.apps().replace(old, successor);
        });
        return successor;
    }

    /** The old command line with {@code --state-from OLD:PORT} in place of any it had. */
    List<String> successorArgv(App old, Ipv4Address oldStateAddress) {
        List<String> argv = new ArrayList<>();
        List<String> before = old.argv();
        for (int i = 0; i < before.size(); i++) {
            String a = before.get(i);
            if (a.equals("--state-from")) {
                i++; // drop its value too: the successor takes the state from the instance running now
            } else if (!a.startsWith("--state-from=")) {
                argv.add(a);
            }
        }
        argv.add("--state-from");
        argv.add(oldStateAddress + ":" + port);
        return argv;
    }
}
