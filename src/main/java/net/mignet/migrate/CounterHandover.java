package net.mignet.migrate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.mignet.app.App;
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

    /** Ready when the successor is connected and the old instance has accepted it (its hello arrived). */
    @Override
    public void awaitReady(App old, App successor, Instant since, Duration timeout) throws InterruptedException {
        AppEventWait.await(successor, "awaiting-state", since, timeout, null, null);
        AppEventWait.await(old, "successor-connected", since, timeout, null, null);
    }

    @Override
    public void trigger(App old) {
        old.sendLine("handover");
    }

    @Override
    public Handover awaitHandover(App old, App successor, Instant since, Duration timeout)
            throws InterruptedException {
        AppEvents.Event received = AppEventWait.await(successor, "state-received", since, timeout, old,
                "handover-failed");
        AppEvents.Event handed = AppEventWait.await(old, "handed-over", since, timeout, null, null);
        Duration gap = Duration.ofNanos(received.longField("at") - handed.longField("frozen"));
        return new Handover(received.longField("bytes"), gap.isNegative() ? Duration.ZERO : gap);
    }

    @Override
    public boolean forwardsLateRequests() {
        return true;
    }
}
