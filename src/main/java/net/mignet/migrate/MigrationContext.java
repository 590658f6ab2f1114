package net.mignet.migrate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import net.mignet.app.App;
import net.mignet.app.AppManager;
import net.mignet.net.Emulation;
import net.mignet.net.Host;

/**
 * What every strategy shares during one migration: the app and the two hosts, the state route, the traffic
 * move, the phase timer, and the undo steps that roll a failed migration back in reverse order.
 */
public final class MigrationContext {
    /** A step that may fail. */
    @FunctionalInterface
    public interface Step<T> {
        T run() throws Exception;
    }

    /** An undo step that may fail; a failing one is reported and the others still run. */
    @FunctionalInterface
    public interface Undo {
        void run() throws Exception;
    }

    private record NamedUndo(String what, Undo undo) {
    }

    private final Emulation net;
    private final AppManager apps;
    private final App app;
    private final Host target;
    private final StateRoute route;
    private final MigrationOptions options;
    private final Consumer<String> log;
    private final long startNanos = System.nanoTime();
    private final Instant started = Instant.now();
    private final List<Phase> phases = new ArrayList<>();
    private final Deque<NamedUndo> undo = new ArrayDeque<>();
    private TrafficMove traffic;
    private Instant disturbed;
    private long stateBytes = -1;
    private Duration serviceGap;
    private HeldFrames held = HeldFrames.NONE;
    private long requestsForwarded = -1;
    private FaultWatch faults;

    MigrationContext(Emulation net, AppManager apps, App app, Host target, StateRoute route,
            MigrationOptions options, Consumer<String> log) {
        this.net = net;
        this.apps = apps;
        this.app = app;
        this.target = target;
        this.route = route;
        this.options = options;
        this.log = log;
    }

    public Emulation net() {
        return net;
    }

    public AppManager apps() {
        return apps;
    }

    /** The instance being moved. */
    public App app() {
        return app;
    }

    public Host from() {
        return app.host();
    }

    public Host target() {
        return target;
    }

    public StateRoute route() {
        return route;
    }

    public MigrationOptions options() {
        return options;
    }

    public void log(String line) {
        log.accept(line);
    }

    /** The values of a recipe's placeholders for this migration. */
    public Map<String, String> placeholders() {
        return Map.of("app", app.name(), "host", target.name(), "from", from().name(),
                "from_ip", route.from().toString(), "to_ip", route.to().toString());
    }

    /** The flow changes that move the service's traffic, planned once. */
    public TrafficMove traffic() {
        if (traffic == null) {
            traffic = TrafficMove.plan(net, app, target);
        }
        return traffic;
    }

    /**
     * Holds the frames the switch would send to the old host (phase {@code hold}; a rollback sends them back there)
     * and waits until the old instance has answered what already reached it (phase {@code drain}), so that its
     * state can be taken without a request answered after that or lost.
     */
    public TrafficMove holdAndDrain() throws Exception {
        return holdAndDrain(false);
    }

    /**
     * As {@link #holdAndDrain()}; with {@code readSuffices} the drain ends once what reached the old instance has
     * been read by it, answered or not: for a strategy that freezes the old instance whole (checkpoint), a request
     * it is in the middle of answering is answered by its copy, once.
     */
    public TrafficMove holdAndDrain(boolean readSuffices) throws Exception {
        TrafficMove move = traffic();
        // Frames already past the switch may still be on the old host's links: looked at where that can be done
        // exactly, else waited for as long as the links' largest delay (opened before the service is disturbed).
        // Only the links from the held ports: a request for the service can be on its way nowhere else.
        java.util.Set<String> held = move.heldPorts();
        Duration inFlight = Links.worstDelay(net, from(), held).plusMillis(2);
        try (FramesOnTheWay way = FramesOnTheWay.toward(net, from(), held).orElse(null)) {
            disturbed();
            phase("hold", () -> {
                move.hold();
                onRollback("send the held frames back to " + from().name(), () -> held(move.restore()));
            });
            ServiceDrain.Drained d = phase("drain", () -> ServiceDrain.await(app, way, inFlight,
                    options.drainTimeout(), readSuffices));
            log("*** Drained " + app.name() + " on " + from().name() + " in " + String.format(java.util.Locale.ROOT,
                    "%.1f", d.took().toNanos() / 1e6) + " ms: " + (d.seen() ? "nothing left on the way to it, seen"
                    : way == null ? "waited out its links' delay of " + inFlight.toMillis() + " ms"
                    : "its links' delay passed and the link engine held nothing for it"));
        }
        return move;
    }

    /** Runs and times one phase. */
    public <T> T phase(String name, Step<T> step) throws Exception {
        long t = System.nanoTime();
        try {
            return step.run();
        } finally {
            record(name, t, System.nanoTime());
        }
    }

    public void phase(String name, Undo step) throws Exception {
        phase(name, () -> {
            step.run();
            return null;
        });
    }

    /** Records a phase timed by the caller, e.g. one that overlaps another. */
    public void record(String name, long startNanos, long endNanos) {
        synchronized (phases) {
            phases.add(new Phase(name, Duration.ofNanos(startNanos - this.startNanos),
                    Duration.ofNanos(endNanos - startNanos)));
        }
    }

    /** Remembers how to undo the step just done, should a later one fail. */
    public void onRollback(String what, Undo step) {
        undo.push(new NamedUndo(what, step));
    }

    /** Steps done from here on are kept even when the migration fails later (e.g. the old instance is gone). */
    public void commit() {
        if (faults != null) {
            faults.pointOfNoReturn(); // a host fault heard before this point still rolls the migration back
        }
        undo.clear();
    }

    /** Host faults during the migration end it through this watch. */
    void watch(FaultWatch watch) {
        this.faults = watch;
    }

    /** From now on the service's clients may notice the migration: the client observation starts here. */
    public void disturbed() {
        if (disturbed == null) {
            disturbed = Instant.now();
        }
    }

    /** Starts the successor on the target host under a temporary name; a rollback removes it. */
    public App deploySuccessor(List<String> argv) {
        App successor = apps.deploy(app.name() + ".next", target, argv, app.deployOptions());
        onRollback("remove the successor on " + target.name(), () -> apps.remove(successor.name()));
        return successor;
    }

    /** The state's size as the strategy counted it. */
    public void stateBytes(long bytes) {
        this.stateBytes = bytes;
    }

    /** How long no instance was serving, as the strategy measured it. */
    public void serviceGap(Duration gap) {
        this.serviceGap = gap;
    }

    /** How many requests reached the old instance after it stopped serving and were forwarded to the successor. */
    public void requestsForwarded(long count) {
        this.requestsForwarded = count;
    }

    public void held(HeldFrames frames) {
        this.held = held.plus(frames);
    }

    void rollBack(Throwable cause) {
        while (!undo.isEmpty()) {
            NamedUndo u = undo.pop();
            try {
                u.undo().run();
            } catch (Exception e) {
                log.accept("!!! rollback step failed: " + u.what() + ": " + e.getMessage());
                cause.addSuppressed(e);
            }
        }
    }

    List<Phase> phases() {
        synchronized (phases) {
            return List.copyOf(phases);
        }
    }

    Instant started() {
        return started;
    }

    Instant disturbedAt() {
        return disturbed == null ? started : disturbed;
    }

    long stateBytes() {
        return stateBytes;
    }

    Duration serviceGap() {
        return serviceGap;
    }

    HeldFrames held() {
        return held;
    }

    long requestsForwarded() {
        return requestsForwarded;
    }
}
