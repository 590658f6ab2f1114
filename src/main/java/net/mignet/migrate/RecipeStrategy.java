package net.mignet.migrate;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import net.mignet.app.App;
import net.mignet.app.AppConditions;
import net.mignet.kernel.CommandResult;
import net.mignet.topo.MigrationRecipe;
import net.mignet.topo.MigrationRecipe.Trigger;

/**
 * Migrates any program by its recipe: start the successor, await {@code ready}, hold the service's frames at
 * the switch, let the old instance answer what already reached it, {@code trigger} the handover, await
 * {@code done}, release the held frames to the successor, retire the old instance.
 */
final class RecipeStrategy implements MigrationStrategy {
    private final MigrationRecipe recipe;

    RecipeStrategy(MigrationRecipe recipe) {
        this.recipe = recipe;
    }

    @Override
    public String name() {
        return "recipe";
    }

    @Override
    public App migrate(MigrationContext ctx) throws Exception {
        App old = ctx.app();
        List<String> argv = recipe.successorArgv(old.argv(), ctx.placeholders());
        ctx.log("*** Starting " + old.name() + " on " + ctx.target().name() + ": " + String.join(" ", argv));
        Instant started = Instant.now();
        App successor = ctx.phase("start", () -> {
            App s = ctx.deploySuccessor(argv);
            AppConditions.await("ready", recipe.ready(), s, started, ctx.options().readyTimeout());
            return s;
        });
        TrafficMove traffic = ctx.holdAndDrain();
        Instant triggered = Instant.now();
        AtomicBoolean done = new AtomicBoolean();
        ctx.phase("handover", () -> {
            Thread repeats = trigger(ctx, old, done);
            try {
                awaitDone(old, successor, triggered, ctx.options().doneTimeout());
            } finally {
                done.set(true);
                repeats.interrupt();
                repeats.join();
            }
        });
        ctx.phase("release", () -> ctx.held(traffic.release()));
        ctx.commit(); // the successor has the state and the traffic: from here on there is no way back
        ctx.phase("retire", () -> {
            old.stop(recipe.grace());
            ctx.apps().replace(old, successor);
        });
        return successor;
    }

    private void awaitDone(App old, App successor, Instant since, Duration timeout) throws InterruptedException {
        if (recipe.done() instanceof MigrationRecipe.Condition.Exited) {
            if (!old.awaitExit(timeout)) {
                throw new IllegalStateException("done (exit): " + old.name() + " on " + old.host().name()
                        + " did not exit within " + timeout.toMillis() + " ms of the trigger");
            }
        } else {
            AppConditions.await("done", recipe.done(), successor, since, timeout);
        }
    }

    /** Sends the trigger; a repeated signal goes on in the returned thread until {@code done} holds. */
    private Thread trigger(MigrationContext ctx, App old, AtomicBoolean done) {
        switch (recipe.trigger()) {
            case Trigger.Exec exec -> {
                List<String> argv = MigrationRecipe.fill(exec.argv(), ctx.placeholders());
                CommandResult r = old.host().exec(argv, ctx.options().doneTimeout());
                if (!r.ok()) {
                    throw new IllegalStateException("trigger: " + String.join(" ", argv) + " on "
                            + old.host().name() + " exited " + r.exitCode() + ": " + r.stderr().strip());
                }
                return Thread.ofVirtual().unstarted(() -> { });
            }
            case Trigger.Signal s -> {
                if (!old.signal(s.number())) {
                    throw new IllegalStateException("trigger: " + old.name() + " exited before SIG" + s.name());
                }
                return Thread.ofVirtual().name("trigger-" + old.name()).start(() -> {
                    try {
                        for (int i = 1; i < s.count() && !done.get(); i++) {
                            Thread.sleep(s.interval());
                            if (!done.get()) {
                                old.signal(s.number());
                            }
                        }
                    } catch (InterruptedException e) {
                        // done holds: no more repeats
                    }
                });
            }
        }
    }
}
