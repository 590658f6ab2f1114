package net.mignet.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import net.mignet.app.AppManager;
import net.mignet.kernel.EmulationId;
import net.mignet.linkemu.LinkEngineChoice;
import net.mignet.experiment.ExperimentRunner;
import net.mignet.experiment.LabApps;
import net.mignet.net.Emulation;
import net.mignet.net.EmulationOptions;
import net.mignet.openflow.OpenFlowAgents;
import net.mignet.report.ResultsRecorder;
import net.mignet.topo.Lab;
import net.mignet.topo.SweepRun;
import net.mignet.topo.Topology;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Build a topology and open the mignet> shell; EOF or exit tears it down.")
final class RunCommand implements Callable<Integer> {
    @Mixin
    TopologySource source;

    @Mixin
    ResultsOptions results;

    @Option(names = "--id", paramLabel = "ID", description = "emulation id (default: topology name + random suffix)")
    String id;

    @Option(names = "--link-engine", paramLabel = "ENGINE", defaultValue = "auto",
            description = "what applies delay, jitter, loss and the like: auto (netem when the kernel has it, else"
                    + " userspace), netem, or userspace (default: ${DEFAULT-VALUE})")
    String linkEngine;

    @Option(names = "--link-seed", paramLabel = "N", defaultValue = "1",
            description = "seed of the link engine's random loss and jitter, to repeat a run (default: ${DEFAULT-VALUE})")
    long linkSeed;

    @Option(names = "--autotest", description = "no shell: deploy the file's apps, run its timeline (once per"
            + " combination of its sweep), check the clients, tear down; exit 0 when every step succeeded and no"
            + " client request was lost or answered wrongly, else 1 with the reason")
    boolean autotest;

    @Option(names = "--openflow-listen-base", paramLabel = "PORT",
            description = "give every switch an OpenFlow agent listening on 127.0.0.1: the first switch on PORT, the"
                    + " next on PORT+1, ... in file order (e.g. 6634 for ovs-ofctl -O OpenFlow13 dump-flows"
                    + " tcp:127.0.0.1:6634)")
    Integer openflowListenBase;

    @Option(names = "--controller", paramLabel = "tcp:HOST:PORT",
            description = "connect every switch's OpenFlow agent to this controller (a loopback address, e.g."
                    + " tcp:127.0.0.1:6653), reconnecting when it goes away; a switch's 'controller:' key wins")
    String controller;

    @Option(names = "--fail-mode", paramLabel = "standalone|secure",
            description = "what OpenFlow switches do while no controller is connected: standalone (the learning"
                    + " bridge, the default) or secure (drop what no rule matches); a switch's 'fail-mode:' key wins")
    String failMode;

    @Option(names = "--packet-in-rate", paramLabel = "N",
            description = "packet-ins per second and switch at most (default 1000); frames over it are dropped")
    Integer packetInRate;

    @Option(names = "--commands", paramLabel = "FILE", description = "run the shell commands in FILE (as the"
            + " shell's 'source FILE' does) before the prompt opens, as Mininet's --pre; exit in it ends the file,"
            + " not the shell")
    Path commands;

    @Override
    public Integer call() throws Exception {
        EmulationOptions options = new EmulationOptions(LinkEngineChoice.parse(linkEngine), linkSeed);
        OpenFlowAgents.Options openflowOptions = new OpenFlowAgents.Options(openflowListenBase,
                controller == null ? null : net.mignet.topo.OpenFlowAddress.parseController(controller),
                failMode == null ? null : net.mignet.topo.FailMode.parse(failMode), packetInRate);
        if (packetInRate != null && packetInRate < 1) {
            throw new IllegalArgumentException("--packet-in-rate must be at least 1 per second");
        }
        List<SweepRun> runs = source.loadExperiment();
        Topology topology = runs.getFirst().lab().topology();
        EmulationId emulationId = id == null ? EmulationId.fresh(topology.name()) : new EmulationId(id);
        // Options refused here, before anything is built: found only once the network is up, they cost a whole
        // build and teardown and left a results directory behind.
        OpenFlowAgents.checkListenBase(openflowListenBase, topology.switches().size());
        results.check(emulationId);
        if (commands != null) {
            if (autotest) {
                throw new IllegalArgumentException("--commands runs before the shell's prompt; --autotest opens no"
                        + " shell: put steps in the file's timeline instead");
            }
            CommandFile.read(commands); // read again when the shell opens; refused now, a slip costs no build
        }
        if (autotest) {
            ExperimentRunner runner = new ExperimentRunner(emulationId, options, System.err)
                    .withOpenFlow(openflowOptions);
            try (ResultsRecorder recorder = results.startExperiment(runner, emulationId,
                    List.copyOf(new TreeSet<>(runs.getFirst().values().keySet())), System.out::println)) {
                TerminationSignals.verdictPending(true);
                try {
                    return AutotestSummary.print(runner.run(runs), System.out) ? 0 : 1;
                } finally {
                    TerminationSignals.verdictPending(false);
                }
            }
        }
        if (runs.size() > 1) {
            throw new IllegalArgumentException("the file sweeps " + runs.getFirst().values().keySet() + " ("
                    + runs.size() + " runs); run it unattended with --autotest, or give each sweep key one value"
                    + " to open the shell on that combination");
        }
        if (!runs.getFirst().values().isEmpty()) {
            System.err.println("*** the sweep has one combination, " + runs.getFirst().values() + ": the network"
                    + " and the shell are that run's");
        }
        Lab lab = runs.getFirst().lab();
        try (Emulation net = Emulation.start(topology, emulationId, System.err::println, options);
                // Closed after the apps, so that it reads their last output lines.
                ResultsRecorder recorder = results.start(net, runs.getFirst().values(), System.err::println);
                AppManager apps = new AppManager(net);
                OpenFlowAgents openflow = OpenFlowAgents.startAndDescribe(net, openflowOptions, System.err::println)) {
            LabApps.deployAll(apps, lab, System.err);
            Shell shell = new Shell(net, new CoreCommands(net, apps));
            new OpenFlowCommands(net, openflow).registerAll(shell);
            try (BackgroundTimeline timeline = BackgroundTimeline.start(apps, lab, System.err)) {
                shell.run(System.in, System.out, commands);
            }
        }
        return 0;
    }
}
