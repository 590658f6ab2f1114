package net.mignet.migrate;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import net.mignet.app.App;
import net.mignet.app.AppManager;
import net.mignet.net.Emulation;
import net.mignet.net.Host;
import net.mignet.net.HostCondition;
import net.mignet.topo.LinkEnd;
import net.mignet.topo.MigrationMethod;
import net.mignet.topo.MigrationRecipe;

/**
 * Moves a running app to another host while its clients keep using the same address. The app says how it
 * migrates ({@link App#migrationMethod()}: a recipe, mignet's handover protocol, or nothing: checkpoint), or the
 * caller picks a strategy; the strategy runs the steps, this class measures them, rolls a failed migration back,
 * and reports what it cost.
 * <pre>{@code
 * MigrationReport r = Migration.of(apps, "server").to(net.host("h3")).observedBy(client).run();
 * }</pre>
 */
public final class Migration {
    /** The strategies {@code --strategy} takes. */
    public static final List<String> STRATEGIES = List.of("auto", "handover", "recipe", "checkpoint",
            "stop-and-copy", "pre-copy", "post-copy");
    private static final Duration OBSERVE_TIMEOUT = Duration.ofSeconds(10);

    private final Emulation net;
    private final AppManager apps;
    private final App app;
    private Host target;
    private StateRoute route;
    private String strategy = "auto";
    private MigrationStrategy given;
    private MigrationRecipe recipe;
    private MigrationOptions options = MigrationOptions.DEFAULTS;
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

    /**
     * {@code auto} (the default), {@code handover}, {@code recipe}, {@code checkpoint}, or one of the state
     * strategies of services speaking the state-transfer protocol: {@code stop-and-copy}, {@code pre-copy},
     * {@code post-copy}.
     */
    public Migration strategy(String name) {
        String s = name.toLowerCase(Locale.ROOT);
        if (!STRATEGIES.contains(s)) {
            throw new IllegalArgumentException("unknown strategy '" + name + "'; use one of "
                    + String.join(", ", STRATEGIES));
        }
        this.strategy = s;
        return this;
    }

    /** Migrates by this strategy object (tests wrap a real one to inject faults). */
    Migration using(MigrationStrategy strategyObject) {
        this.given = strategyObject;
        return this;
    }

    /** Migrates by this recipe instead of the app's own (and implies the recipe strategy under auto). */
    public Migration recipe(MigrationRecipe migrationRecipe) {
        this.recipe = migrationRecipe;
        return this;
    }

    public Migration options(MigrationOptions migrationOptions) {
        this.options = migrationOptions;
        return this;
    }

    /** A client app printing mignet's reply events (the counter client) whose replies measure the downtime. */
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
        requireUp(from, "source");
        requireUp(target, "target");
        MigrationStrategy chosen = given != null ? given : choose();
        StateRoute stateRoute = route != null ? route : StateRoute.between(from, target);
        String stateInterface = interfaceWith(from, stateRoute);
        Host.InterfaceCounters before = stateInterface == null ? null : from.counters(stateInterface);
        MigrationContext ctx = new MigrationContext(net, apps, app, target, stateRoute, options, log);
        long oldPid = app.pid();
        App successor;
        try (FaultWatch watch = FaultWatch.start(net, from, target)) {
            ctx.watch(watch);
            try {
                successor = chosen.migrate(ctx);
            } catch (Exception e) {
                watch.consumeInterrupt();
                watch.close(); // a second fault must not interrupt the rollback
                throw rolledBack(ctx, chosen, from, oldPid, e, watch.reason());
            }
            watch.consumeInterrupt();
        }
        Instant settled = Instant.now();
        long stateNetworkBytes = before == null ? -1 : from.counters(stateInterface).bytes() - before.bytes();
        List<String> flows = ctx.traffic().described();
        List<String> notes = ctx.traffic().notes();
        notes.forEach(log);
        if (flows.isEmpty() && notes.isEmpty()) {
            log.accept("!!! no flow rule sends traffic to " + from.name() + "'s service port; nothing redirected");
        }
        ClientObservation seen = observer == null || ctx.traffic().onlyStays() ? null
                : ClientObservation.await(observer, ctx.disturbedAt(), settled, OBSERVE_TIMEOUT);
        MigrationReport report = new MigrationReport(successor.name(), chosen.name(), from.name(), target.name(),
                oldPid, successor.pid(), stateRoute.toString(), ctx.stateBytes(), stateNetworkBytes, ctx.serviceGap(),
                ctx.held(), seen, flows, ctx.phases(), Duration.between(ctx.started(), settled),
                ctx.requestsForwarded());
        // The event's time is when the migration began: its phases are counted from there.
        net.events().publish(ctx.started(), "migration", report, "app", report.app(), "strategy", report.strategy(),
                "from", report.from(), "to", report.to(), "total_ms", report.total().toNanos() / 1e6);
        return report;
    }

    /** Undoes what the strategy did; the exception to throw says why, naming the host fault that ended it. */
    private MigrationFailedException rolledBack(MigrationContext ctx, MigrationStrategy chosen, Host from,
            long oldPid, Exception e, String faultReason) throws InterruptedException {
        ctx.rollBack(e);
        String reason = e.getMessage() == null ? e.toString() : e.getMessage();
        if (faultReason != null) {
            // Interrupted by the fault's watch, or failed at the point of no return with the fault's own words.
            boolean saidAlready = e instanceof InterruptedException || faultReason.equals(e.getMessage());
            reason = saidAlready ? faultReason : faultReason + "; it stopped at: " + reason;
        }
        log.accept("!!! migration of " + app.name() + " to " + target.name() + " failed and was rolled back ("
                + app.name() + (apps.find(app.name()).filter(App::isRunning).isPresent() ? " still runs on "
                : " is gone from ") + from.name() + "): " + reason);
        // The results need the end too: a failed attempt has a length, and averages that leave it out mislead.
        MigrationFailure failure = new MigrationFailure(app.name(), chosen.name(), from.name(), target.name(), oldPid,
                reason, ctx.started(), Instant.now());
        net.events().publish(ctx.started(), "migration-failed", failure, "app", app.name(), "strategy",
                chosen.name(), "from", from.name(), "to", target.name(), "reason", reason);
        if (e instanceof InterruptedException ie && faultReason == null) {
            throw ie;
        }
        return new MigrationFailedException("migration of " + app.name() + " " + from.name() + " -> "
                + target.name() + " (" + chosen.name() + ") failed and was rolled back: " + reason, e);
    }

    private static void requireUp(Host host, String role) {
        if (host.condition() != HostCondition.UP) {
            throw new IllegalStateException("the " + role + " host " + host.name() + " is " + host.condition().word()
                    + "; " + (host.condition() == HostCondition.FROZEN ? "thaw" : "restart") + " " + host.name()
                    + " first");
        }
    }

    /** The strategy: the one asked for, else what the app declares, else checkpoint. */
    MigrationStrategy choose() {
        MigrationMethod declared = app.migrationMethod().orElse(null);
        String name = strategy;
        if (name.equals("auto")) {
            name = recipe != null ? "recipe" : declared != null ? declared.strategy() : "checkpoint";
        }
        return switch (name) {
            case "handover" -> new HandoverStrategy(declared instanceof MigrationMethod.Handover h ? h.port()
                    : MigrationMethod.Handover.DEFAULT_PORT);
            case "recipe" -> {
                MigrationRecipe r = recipe != null ? recipe : declared instanceof MigrationRecipe d ? d : null;
                if (r == null) {
                    throw new IllegalArgumentException(app.name() + " has no migration recipe; give one (shell:"
                            + " recipe " + app.name() + " successor='...' ready=udp:PORT trigger=TERM done=log:REGEX;"
                            + " or migrate options --successor --ready --trigger --done; or 'migration:' in the"
                            + " topology file)");
                }
                yield new RecipeStrategy(r);
            }
            case "checkpoint" -> CheckpointStrategies.create(app, options);
            case "stop-and-copy", "pre-copy", "post-copy" -> StateTransferStrategies.create(app, name, options);
            default -> throw new IllegalArgumentException("unknown strategy " + name);
        };
    }

    /** The source host's interface that carries the state route's address. */
    private static String interfaceWith(Host host, StateRoute route) {
        for (LinkEnd i : host.interfaces()) {
            if (i.ip() != null && i.ip().address().equals(route.from())) {
                return i.interfaceName();
            }
        }
        return null;
    }
}
