package net.mignet.migrate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import net.mignet.app.App;
import net.mignet.app.AppManager;
import net.mignet.apps.CounterService;
import net.mignet.net.Emulation;
import net.mignet.net.Host;
import net.mignet.net.Link;
import net.mignet.topo.LinkEnd;
import net.mignet.topo.LinkParams;

/**
 * Moves a running app to another host while its clients keep using the same address:
 * <ol>
 * <li><b>start</b>: the successor starts on the new host in "get state" mode and gets ready;</li>
 * <li><b>handover</b>: the old instance freezes and hands its state to the successor over the internal
 * network;</li>
 * <li><b>redirect</b>: the switches' flow rules send the service's traffic to the new host (at the same time
 * as the handover when the service forwards late requests, after it otherwise);</li>
 * <li><b>retire</b>: the old instance is stopped once requests already on their way to it have arrived (it
 * forwards them to the successor) and the successor takes over the app's name.</li>
 * </ol>
 * <pre>{@code
 * MigrationReport r = Migration.of(apps, "counter").to(net.host("h3")).observedBy(client).run();
 * }</pre>
 */
public final class Migration {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration HANDOVER_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration OBSERVE_TIMEOUT = Duration.ofSeconds(10);

    private final Emulation net;
    private final AppManager apps;
    private final App app;
    private Host target;
    private StateRoute route;
    private HandoverProtocol protocol;
    private App observer;
    private Consumer<String> log = line -> { };

    private Migration(Emulation net, AppManager apps, App app) {
        this.net = net;
        this.apps = apps;
        this.app = app;
    }

    public static Migration of(AppManager apps, String appName) {
        return new Migration(apps.emulation(), apps, apps.get(appName));
    }

    public Migration to(Host host) {
        this.target = host;
        return this;
    }

    /** The addresses the state travels between; by default found by {@link StateRoute#between}. */
    public Migration stateVia(StateRoute stateRoute) {
        this.route = stateRoute;
        return this;
    }

    /** How the service hands over; by default known for mignet's built-in services. */
    public Migration protocol(HandoverProtocol handover) {
        this.protocol = handover;
        return this;
    }

    /** A client app (mignet's counter client) whose replies measure the downtime. */
    public Migration observedBy(App client) {
        this.observer = client;
        return this;
    }

    /** Where progress lines go (e.g. the shell's output). */
    public Migration log(Consumer<String> progress) {
        this.log = progress;
        return this;
    }

    public MigrationReport run() throws InterruptedException {
        if (target == null) {
            throw new IllegalStateException("no target host: call to(host) first");
        }
        Host from = app.host();
        if (from.name().equals(target.name())) {
            throw new IllegalArgumentException(app.name() + " already runs on " + target.name());
        }
        if (!app.isRunning()) {
            throw new IllegalStateException(app.name() + " is not running (" + app + ")");
        }
        HandoverProtocol handover = protocol != null ? protocol : protocolFor(app);
        StateRoute stateRoute = route != null ? route : StateRoute.between(from, target);
        Map<String, Duration> phases = new LinkedHashMap<>();
        long oldPid = app.pid();

        long t = System.nanoTime();
        Instant started = Instant.now();
        log.accept("*** Starting " + app.name() + " on " + target.name() + " to take the state from " + stateRoute.from());
        App successor = apps.deploy(app.name() + ".next", target,
                handover.successorArgv(app, stateRoute.from(), stateRoute.to()));
        List<Redirect.SwitchChanges> changes;
        try {
            handover.awaitReady(app, successor, started, READY_TIMEOUT);
            changes = Redirect.plan(net, from, target);
            copyNeighbours(from, target);
        } catch (RuntimeException | InterruptedException e) {
            apps.remove(successor.name());
            throw e;
        }
        t = phase(phases, "start", t);

        Instant disturbed = Instant.now();
        // A service that forwards late requests can have its traffic redirected while the state is on its
        // way: the successor holds requests until the state is there, the old instance passes on what still
        // reaches it. So the flow change runs alongside the handover instead of after it.
        boolean concurrent = handover.forwardsLateRequests();
        long handoverStart = System.nanoTime();
        handover.trigger(app);
        if (concurrent) {
            long r0 = System.nanoTime();
            Redirect.apply(changes);
            phases.put("redirect", Duration.ofNanos(System.nanoTime() - r0));
        }
        HandoverProtocol.Handover result;
        try {
            result = handover.awaitHandover(app, successor, disturbed, HANDOVER_TIMEOUT);
        } catch (RuntimeException | InterruptedException e) {
            if (concurrent) {
                Redirect.apply(Redirect.undo(changes));
            }
            apps.remove(successor.name());
            throw e;
        }
        phases.put("handover", Duration.ofNanos(System.nanoTime() - handoverStart));
        if (!concurrent) {
            long r0 = System.nanoTime();
            Redirect.apply(changes);
            phases.put("redirect", Duration.ofNanos(System.nanoTime() - r0));
        }
        t = System.nanoTime();
        List<String> described = new ArrayList<>();
        changes.forEach(c -> described.addAll(c.described()));
        if (described.isEmpty()) {
            log.accept("!!! no flow rule sends traffic to " + from.name() + "'s service port; nothing redirected");
        }

        if (handover.forwardsLateRequests()) {
            Thread.sleep(drainTime(from)); // requests already past the switch reach the old instance by then
        }
        app.stop(Duration.ofSeconds(5));
        apps.replace(app, successor);
        phase(phases, "retire", t);
        Instant settled = Instant.now();

        ClientObservation seen = observer == null ? null
                : ClientObservation.await(observer, disturbed, settled, OBSERVE_TIMEOUT);
        return new MigrationReport(successor.name(), from.name(), target.name(), oldPid, successor.pid(),
                stateRoute.toString(), result.stateBytes(), result.serviceGap(), seen, described, phases,
                Duration.between(started, settled));
    }

    /** The ARP entries of the service interfaces (those whose address both hosts carry) move with the service. */
    private static void copyNeighbours(Host from, Host to) {
        for (LinkEnd oldIntf : from.interfaces()) {
            for (LinkEnd newIntf : to.interfaces()) {
                if (oldIntf.ip() != null && newIntf.ip() != null
                        && oldIntf.ip().address().equals(newIntf.ip().address())) {
                    to.learnNeighbours(newIntf.interfaceName(), from.neighbours(oldIntf.interfaceName()));
                }
            }
        }
    }

    private static long phase(Map<String, Duration> phases, String name, long since) {
        long now = System.nanoTime();
        phases.put(name, Duration.ofNanos(now - since));
        return now;
    }

    /**
     * How long a request can still be travelling towards the old host after the switch changed: twice the
     * largest delay plus jitter configured on its links, plus a margin for queues.
     */
    private Duration drainTime(Host from) {
        Duration worst = Duration.ZERO;
        for (Link l : net.links()) {
            if (l.a().node().equals(from.name()) || l.b().node().equals(from.name())) {
                for (LinkParams p : List.of(l.paramsAToB(), l.paramsBToA())) {
                    Duration d = (p.delay() == null ? Duration.ZERO : p.delay())
                            .plus(p.jitter() == null ? Duration.ZERO : p.jitter());
                    worst = d.compareTo(worst) > 0 ? d : worst;
                }
            }
        }
        return worst.multipliedBy(2).plusMillis(20);
    }

    static HandoverProtocol protocolFor(App app) {
        if (app.argv().contains(CounterService.class.getName())) {
            return new CounterHandover();
        }
        throw new IllegalArgumentException("mignet does not know how " + app.name() + " (" + String.join(" ",
                app.argv()) + ") hands its state over; give a HandoverProtocol, e.g. new SignalHandover("
                + "List.of(\"--get_state\"), 9999) for services written like the original example");
    }
}
