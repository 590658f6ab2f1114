package net.mignet.experiment;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import net.mignet.app.App;
import net.mignet.app.AppConditions;
import net.mignet.app.AppManager;
import net.mignet.app.JavaLauncher;
import net.mignet.apps.BuiltinApps;
import net.mignet.kernel.EmulationId;
import net.mignet.net.Emulation;
import net.mignet.net.EmulationOptions;
import net.mignet.openflow.OpenFlowAgents;
import net.mignet.topo.SweepRun;

/**
 * Runs an experiment unattended: for each combination of its sweep, the apps of the file on the network, then
 * its timeline, then the clients' checks. Consecutive runs share one network when their topologies differ at
 * most in link parameters; the network is put back to the file's state between them. The switches' OpenFlow
 * agents (the file's {@code openflow:}, {@code controller:} and {@code fail-mode:} keys, and the command line's)
 * start with each network, as in the shell, and stop before it.
 */
public final class ExperimentRunner {
    private final EmulationId id;
    private final EmulationOptions options;
    private final PrintStream out;
    private RunObserver observer = RunObserver.NONE;
    private OpenFlowAgents.Options openflow = OpenFlowAgents.Options.NONE;

    public ExperimentRunner(EmulationId id, EmulationOptions options, PrintStream out) {
        this.id = id;
        this.options = options;
        this.out = out;
    }

    /** Tells {@code runObserver} of each network built and each run begun. */
    public ExperimentRunner observedBy(RunObserver runObserver) {
        this.observer = runObserver;
        return this;
    }

    /** What the command line says of OpenFlow (see {@link OpenFlowAgents.Options}); the file's keys win. */
    public ExperimentRunner withOpenFlow(OpenFlowAgents.Options openflowOptions) {
        this.openflow = openflowOptions;
        return this;
    }

    public List<RunResult> run(List<SweepRun> runs) throws InterruptedException {
        boolean builtins = runs.stream().flatMap(r -> r.lab().apps().stream())
                .anyMatch(a -> BuiltinApps.mainClass(a.command().getFirst()).isPresent());
        if (builtins && !JavaLauncher.archiveReady()) {
            out.println("*** the first run also makes the class-data archive of mignet's Java apps for this build:"
                    + " their first exit (a migration's retire phase) takes some 0.3 s longer; for figures that"
                    + " compare runs, run the experiment once before, or leave run 1 out");
        }
        List<RunResult> results = new ArrayList<>();
        Emulation net = null;
        OpenFlowAgents agents = OpenFlowAgents.none();
        try {
            for (SweepRun run : runs) {
                if (net != null && NetworkReuse.possible(net.topology(), run.lab().topology())) {
                    NetworkReuse.reset(net, run.lab().topology());
                } else {
                    agents.close();
                    agents = OpenFlowAgents.none();
                    if (net != null) {
                        net.close();
                    }
                    net = Emulation.start(run.lab().topology(), id, out::println, options);
                    agents = OpenFlowAgents.startAndDescribe(net, openflow, out::println);
                    observer.networkStarted(net);
                }
                if (!run.values().isEmpty()) {
                    out.println("*** run " + (results.size() + 1) + " of " + runs.size() + ": " + run.values());
                }
                observer.runStarting(results.size() + 1, run.values());
                results.add(runOnce(net, run));
            }
        } finally {
            agents.close();
            if (net != null) {
                net.close();
            }
        }
        return results;
    }

    private RunResult runOnce(Emulation net, SweepRun run) throws InterruptedException {
        try (AppManager apps = new AppManager(net)) {
            TimelineResult timeline;
            List<String> problems = new ArrayList<>();
            try {
                LabApps.deployAll(apps, run.lab(), out);
                timeline = new TimelineRunner(apps, run.lab(), out).run();
            } catch (RuntimeException e) {
                return new RunResult(run.values(), new TimelineResult(List.of()), List.of("apps: " + e.getMessage()));
            }
            timeline.failure().ifPresent(f -> problems.add("line " + f.step().line() + ": " + f.step().step()
                    + " failed: " + f.failure()));
            for (App app : apps.apps()) {
                if (app.oomKilled()) {
                    problems.add(app.name() + " on " + app.host().name() + " was killed by its memory limit ("
                            + (app.limits().memory() != 0 ? "its own" : "its host's") + ")");
                } else if (app.failedByItself()) {
                    problems.add(app.name() + " on " + app.host().name() + " exited with status "
                            + app.exitStatus().getAsInt() + "; its last lines: " + AppConditions.lastWords(app));
                }
                if (CounterClientCheck.isCounterClient(app)) {
                    problems.addAll(CounterClientCheck.problems(app));
                } else if (KvClientCheck.isKvClient(app)) {
                    problems.addAll(KvClientCheck.problems(app));
                }
            }
            return new RunResult(run.values(), timeline, problems);
        }
    }
}
