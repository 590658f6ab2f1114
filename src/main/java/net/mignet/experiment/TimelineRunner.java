package net.mignet.experiment;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.mignet.app.AppConditions;
import net.mignet.app.AppManager;
import net.mignet.migrate.Migration;
import net.mignet.migrate.MigrationReport;
import net.mignet.net.Emulation;
import net.mignet.net.Fault;
import net.mignet.net.Link;
import net.mignet.net.LinkSettings;
import net.mignet.topo.Lab;
import net.mignet.topo.LinkSelector;
import net.mignet.topo.TimedStep;
import net.mignet.topo.TimelineStep;

/**
 * Runs a topology file's {@code timeline:} against the running network and its apps, step by step, each at its
 * time. A step that fails ends the timeline: later steps usually need it (a migration to a host the previous one
 * did not reach).
 */
public final class TimelineRunner {
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private final Emulation net;
    private final AppManager apps;
    private final Lab lab;
    private final PrintStream out;
    private final List<StepOutcome> outcomes = new ArrayList<>();

    public TimelineRunner(AppManager apps, Lab lab, PrintStream out) {
        this.net = apps.emulation();
        this.apps = apps;
        this.lab = lab;
        this.out = out;
    }

    public TimelineResult run() throws InterruptedException {
        outcomes.clear();
        runSteps(lab.timeline(), 0);
        return new TimelineResult(outcomes);
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
            sleepUntil(due);
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
                links(l.node1(), l.node2()).forEach(settings::applyTo);
            }
            case TimelineStep.LinkState l -> links(l.node1(), l.node2()).forEach(link -> link.setUp(l.up()));
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

    /** Every link the step's two ends select. */
    private List<Link> links(String a, String b) {
        LinkSelector selector = LinkSelector.of(a, b);
        List<Link> links = net.links().stream().filter(l -> selector.selects(l.spec())).toList();
        if (links.isEmpty()) {
            throw new IllegalArgumentException("there is no link " + selector);
        }
        return links;
    }

    private static void sleepUntil(Instant due) throws InterruptedException {
        Duration left = Duration.between(Instant.now(), due);
        if (left.isPositive()) {
            Thread.sleep(left); // the step's start time is the condition
        }
    }
}
