package net.mignet.migrate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.mignet.app.App;
import net.mignet.app.LogLine;
import net.mignet.apps.AppEvents;
import net.mignet.topo.Ipv4Address;

/**
 * The handover of mignet's built-in counter service: the successor connects to the old instance over TCP when
 * it starts; {@code handover} on the old instance's input sends the state, acknowledged before the old
 * instance stops counting; late requests are forwarded.
 */
public final class CounterHandover implements HandoverProtocol {
    public static final int DEFAULT_PORT = 9999;

    private final int port;

    public CounterHandover() {
        this(DEFAULT_PORT);
    }

    public CounterHandover(int port) {
        this.port = port;
    }

    @Override
    public List<String> successorArgv(App old, Ipv4Address oldStateAddress, Ipv4Address newStateAddress) {
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

    @Override
    public void awaitReady(App successor, Duration timeout) throws InterruptedException {
        awaitEvent(successor, "awaiting-state", timeout);
    }

    @Override
    public void trigger(App old) {
        old.sendLine("handover");
    }

    @Override
    public Handover awaitHandover(App old, App successor, Duration timeout) throws InterruptedException {
        AppEvents.Event received = awaitEvent(successor, "state-received", timeout);
        AppEvents.Event handed = awaitEvent(old, "handed-over", timeout);
        Duration gap = Duration.ofNanos(received.longField("at") - handed.longField("frozen"));
        return new Handover(received.longField("bytes"), gap.isNegative() ? Duration.ZERO : gap);
    }

    @Override
    public boolean redirectBeforeHandover() {
        return true;
    }

    @Override
    public boolean forwardsLateRequests() {
        return true;
    }

    /** Waits for an event of the app; fails early, with the app's last words, when the app exits instead. */
    static AppEvents.Event awaitEvent(App app, String name, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            var line = app.log().await(l -> isEvent(l, name) || !app.isRunning(), Duration.ofNanos(
                    Math.max(1, Math.min(deadline - System.nanoTime(), 200_000_000L))));
            if (line.isPresent() && isEvent(line.get(), name)) {
                return AppEvents.parse(line.get().text());
            }
            var seen = app.log().lines().stream().filter(l -> isEvent(l, name)).findFirst();
            if (seen.isPresent()) {
                return AppEvents.parse(seen.get().text());
            }
            if (!app.isRunning()) {
                throw new IllegalStateException(app.name() + " on " + app.host().name() + " exited (status "
                        + app.exitStatus().orElse(-1) + ") before '" + name + "'; its last lines: "
                        + lastWords(app));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(app.name() + " on " + app.host().name() + " did not report '" + name
                        + "' within " + timeout.toMillis() + " ms; its last lines: " + lastWords(app));
            }
        }
    }

    private static boolean isEvent(LogLine line, String name) {
        AppEvents.Event e = AppEvents.parse(line.text());
        return e != null && e.name().equals(name);
    }

    static String lastWords(App app) {
        List<LogLine> lines = app.log().lines();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()).stream()
                .map(LogLine::text).toList());
    }
}
