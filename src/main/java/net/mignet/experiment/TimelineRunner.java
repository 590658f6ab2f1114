package net.mignet.experiment;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.mignet.app.AppConditions;
import net.mignet.app.AppManager;
import net.mignet.migrate.Migration;
import net.mignet.migrate.MigrationReport;
import net.mignet.net.Emulation;
import net.mignet.net.Fault;
import net.mignet.net.LinkSettings;
import net.mignet.topo.Lab;
import net.mignet.topo.TimedStep;
import net.mignet.topo.TimelineStep;

/**
 * Runs a topology file's {@code timeline:} against the running network and its apps, step by step, each at its
 * time. A step that fails ends the timeline: later steps usually need it (a migration to a host the previous one
 * did not reach). When the JVM shuts down (SIGTERM, SIGINT, {@code mignet clean}) no further step starts: a step
 * started while the network was being torn down acted on a network going away (a migration finished after the signal).
 */
public final class TimelineRunner {
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    /** How long a shutdown waits for the step under way to let go of the network before tearing it down anyway. */
    private static final Duration LET_GO = Duration.ofSeconds(10);
    /** How late an 'at:' step may start before a line says so. */
    private static final Duration LATE_NOTE = Duration.ofMillis(100);
    private final Emulation net;
    private final AppManager apps;
    private final Lab lab;
    private final PrintStream out;
    private final List<StepOutcome> outcomes = new ArrayList<>();
    private volatile boolean shuttingDown;

    public TimelineRunner(AppManager apps, Lab lab, PrintStream out) {
        this.net = apps.emulation();
        this.apps = apps;
        this.lab = lab;
        this.out = out;
    }

    /** @throws InterruptedException also when the JVM shuts down under it: the timeline then has no result */
    public TimelineResult run() throws InterruptedException {
        outcomes.clear();
        shuttingDown = false;
        CountDownLatch left = new CountDownLatch(1);
        Thread runner = Thread.currentThread();
        try (Emulation.ShutdownAction stop = net.onShutdown(() -> stopForShutdown(runner, left))) {
            runSteps(lab.timeline(), 0);
        } catch (InterruptedException e) {
            if (shuttingDown) {
                Thread.interrupted(); // the shutdown's interrupt has done its work: what unwinds now must not fail
                throw new InterruptedException("the network is shutting down");
            }
            throw e;
        } finally {
            left.countDown();
        }
        return new TimelineResult(outcomes);
    }

    /**
     * Registered last, so it runs before the apps stop and the network goes: no step starts any more, the one under
     * way is interrupted (a sleep, a wait, a migration as the shell's Ctrl-C interrupts it), and the teardown waits,
     * bounded, until the timeline has let go of the network.
     */
    private void stopForShutdown(Thread runner, CountDownLatch left) {
        shuttingDown = true;
        runner.interrupt();
        try {
            if (!left.await(LET_GO.toMillis(), TimeUnit.MILLISECONDS)) {
                out.println("!!! the timeline's step did not end within " + LET_GO.toSeconds()
                        + " s of the shutdown; tearing the network down under it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Returns false when a step failed. */
    private boolean runSteps(List<TimedStep> steps, int round) throws InterruptedException {
        Instant begin = Instant.now();
        Instant previousEnd = begin;
        for (TimedStep s : steps) {
            Instant due = switch (s.start()) {
                case TimedStep.Start.At at -> begin.plus(at.sinceBegin());
                case TimedStep.Start.After after -> previousEnd.plus(after.sincePrevious());
                case TimedStep.Start.Next _ -> previousEnd;
            };
            Duration late = Duration.between(due, Instant.now());
            if (s.start() instanceof TimedStep.Start.At && late.compareTo(LATE_NOTE) > 0) {
                // An 'at:' earlier than the steps before it can end: said, so the times in the results are read
                // as what they were.
                out.println("*** timeline line " + s.line() + ": due at " + Duration.between(begin, due).toMillis()
                        + " ms, starts " + late.toMillis() + " ms late (the steps before it took that long)");
            }
            sleepUntil(due);
            if (shuttingDown) {
                throw new InterruptedException();
            }
            if (s.step() instanceof TimelineStep.Repeat repeat) {
                for (int r = 1; r <= repeat.times(); r++) {
                    if (!runSteps(repeat.steps(), r)) {
                        return false;
                    }
                }
                previousEnd = Instant.now();
                continue;
            }
            StepOutcome outcome = runStep(s, round);
            if (shuttingDown) {
                throw new InterruptedException(); // the step's failure, if any, is the shutdown's doing
            }
            outcomes.add(outcome);
            out.println("*** timeline " + outcome);
            if (!outcome.succeeded()) {
                return false;
            }
            previousEnd = outcome.ended();
        }
        return true;
    }

    private StepOutcome runStep(TimedStep s, int round) throws InterruptedException {
        Instant started = Instant.now();
        MigrationReport report = null;
        String failure = null;
        try {
            report = perform(s.step());
        } catch (InterruptedException e) {
            throw e;
        } catch (RuntimeException e) {
            failure = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        return new StepOutcome(s, round, started, Instant.now(), failure, report);
    }

    /** Does one step; returns the migration report of a migrate step, else null. */
    private MigrationReport perform(TimelineStep step) throws InterruptedException {
        switch (step) {
            case TimelineStep.Deploy d -> LabApps.deploy(apps, lab.app(d.app()), out);
            case TimelineStep.Stop st -> apps.get(st.app()).stop(STOP_GRACE);
            case TimelineStep.Migrate m -> {
                MigrationReport report = MigrationRequest.of(apps, m.app(), m.host(), m.strategy(), m.options())
                        .log(out::println).run();
                out.println(report.summary()); // as the shell's migrate says it: every migration ends with this line
                report.flowChanges().forEach(c -> out.println("  flow now: " + c));
                return report;
            }
            case TimelineStep.LinkSet l -> {
                List<String> words = l.settings().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .toList();
                LinkSettings settings = LinkSettings.parse(words, l.node1(), l.node2());
                net.linksSelected(l.node1(), l.node2()).forEach(settings::applyTo);
            }
            case TimelineStep.LinkState l -> net.linksSelected(l.node1(), l.node2())
                    .forEach(link -> link.setUp(l.up()));
            case TimelineStep.Pause p -> Thread.sleep(p.duration()); // the step is a wait: nothing to await
            case TimelineStep.AwaitApp w -> AppConditions.await("until", w.condition(), apps.get(w.app()),
                    apps.get(w.app()).started(), w.timeout());
            case TimelineStep.HostFault h -> out.println("*** " + hostFault(h).apply(net.faults()));
            case TimelineStep.Flap f -> out.println("*** " + new Fault.Flap(f.node1(), f.node2(), f.period(), f.count())
                    .apply(net.faults(), report -> out.println("*** " + report.describe())));
            case TimelineStep.Repeat _ -> throw new IllegalStateException("repeat is run by runSteps");
        }
        return null;
    }

    private static Fault hostFault(TimelineStep.HostFault h) {
        return switch (h.kind()) {
            case "crash" -> new Fault.Crash(h.host());
            case "restart" -> new Fault.Restart(h.host());
            case "freeze" -> new Fault.Freeze(h.host());
            case "thaw" -> new Fault.Thaw(h.host());
            default -> throw new IllegalStateException(h.kind());
        };
    }

    private static void sleepUntil(Instant due) throws InterruptedException {
        Duration left = Duration.between(Instant.now(), due);
        if (left.isPositive()) {
            Thread.sleep(left); // the step's start time is the condition
        }
    }
}
