package net.mignet.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import net.mignet.app.App;
import net.mignet.app.AppManager;
import net.mignet.app.LogLine;
import net.mignet.apps.CounterClient;
import net.mignet.apps.CounterService;
import net.mignet.kernel.EmulationId;
import net.mignet.migrate.Migration;
import net.mignet.migrate.MigrationReport;
import net.mignet.net.Emulation;
import net.mignet.net.Host;
import net.mignet.report.ResultsRecorder;
import net.mignet.topo.Topology;
import net.mignet.topo.YamlTopologyLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The reference scenario, step by step with its output: a client on h1 counts through a service that moves
 * h2 -> h3 -> h2, and the counter never resets.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the service-migration demo (examples/service-migration.yaml), then open the shell.")
final class DemoCommand implements Callable<Integer> {
    static final String TOPOLOGY_RESOURCE = "examples/service-migration.yaml";

    @Option(names = "--autotest", description = "no shell at the end; exit 1 unless the counter went 1, 2, 3, ..."
            + " (also MIGNET_AUTOTEST=1)")
    boolean autotest;

    @Option(names = "--fast", description = "short waits and a 100 ms client interval: the run takes seconds")
    boolean fast;

    @Option(names = "--id", paramLabel = "ID", description = "emulation id (default: topology name + random suffix)")
    String id;

    @Option(names = "--topo-file", paramLabel = "FILE", description = "the scenario's topology (default: the one"
            + " shipped, " + TOPOLOGY_RESOURCE + ")")
    Path topologyFile;

    @Mixin
    ResultsOptions results;

    @Override
    public Integer call() throws Exception {
        boolean auto = autotest || "1".equals(System.getenv("MIGNET_AUTOTEST"));
        Duration interval = fast ? Duration.ofMillis(100) : Duration.ofSeconds(1);
        int repliesPerSetup = 10;
        PrintStream out = System.out;
        Topology topology = loadTopology();
        EmulationId emulationId = id == null ? EmulationId.fresh(topology.name()) : new EmulationId(id);
        results.check(emulationId); // before anything is built
        try (Emulation net = Emulation.start(topology, emulationId, System.err::println);
                // Closed after the apps, so that it reads their last output lines.
                ResultsRecorder recorder = results.start(net, out::println);
                AppManager apps = new AppManager(net)) {
            Host h1 = net.host("h1");
            Host h2 = net.host("h2");
            Host h3 = net.host("h3");
            String internal2 = internalAddress(h2);
            String internal3 = internalAddress(h3);
            out.println("- Internal IP of h2: " + internal2);
            out.println("- Internal IP of h3: " + internal3);
            out.println("*** h2 pings h3 over the internal network");
            out.print(h2.ping(internal3, 3).output());
            out.println("*** Flows on s1");
            new Shell(net, new CoreCommands(net, apps)).execute("flows s1", out);
            out.println("*** h1 pings the service address 10.0.0.12");
            out.print(h1.ping("10.0.0.12", 3).output());

            out.println("*** Deploy the counter service on h2 and its client on h1");
            apps.deployJava("counter", h2, CounterService.class, List.of("--listen", "10.0.0.12:8888"));
            App client = apps.deployJava("client", h1, CounterClient.class,
                    List.of("--server", "10.0.0.12:8888", "--interval", interval.toMillis() + "ms"));
            awaitReplies(client, repliesPerSetup, interval);
            printClientLog(out, "Setup1", client);

            MigrationReport toH3 = Migration.of(apps, "counter").to(h3).observedBy(client).log(out::println).run();
            out.println("*** " + toH3.summary());
            awaitReplies(client, 2 * repliesPerSetup, interval);
            printClientLog(out, "Setup2", client);

            out.println("The PID of the old service: " + apps.get("counter").pid());
            MigrationReport toH2 = Migration.of(apps, "counter").to(h2).observedBy(client).log(out::println).run();
            out.println("*** " + toH2.summary());
            awaitReplies(client, 3 * repliesPerSetup, interval);
            printClientLog(out, "Setup3", client);

            boolean counted = checkCounter(out, client);
            if (!auto) {
                out.println("*** Opening the shell: try 'apps', 'logs client 5', 'flows s1', 'migrate counter h3',"
                        + " 'help'; 'exit' tears the network down");
                new Shell(net, new CoreCommands(net, apps)).run(System.in, out);
            }
            return counted ? 0 : 1;
        }
    }

    private Topology loadTopology() throws IOException {
        if (topologyFile != null) {
            return YamlTopologyLoader.load(topologyFile);
        }
        Path beside = Path.of(TOPOLOGY_RESOURCE);
        if (Files.exists(beside)) {
            return YamlTopologyLoader.load(beside);
        }
        // Packed into the jar at build time from the same file, so the demo runs from any directory.
        try (InputStream in = DemoCommand.class.getClassLoader().getResourceAsStream(TOPOLOGY_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(TOPOLOGY_RESOURCE + " is neither in the current directory nor in"
                        + " mignet's jar; give it with --topo-file");
            }
            return YamlTopologyLoader.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    TOPOLOGY_RESOURCE);
        }
    }

    /** The host's address outside the service subnet 10.0.0.0/24: its internal address. */
    private static String internalAddress(Host host) {
        return host.interfaces().stream().filter(i -> i.ip() != null && !i.ip().address().toString().startsWith("10.0.0."))
                .map(i -> i.ip().address().toString()).findFirst()
                .orElseThrow(() -> new IllegalStateException(host.name() + " has no internal address"));
    }

    /** Waits for the client's {@code count}-th reply: about {@code count} intervals after it started. */
    private static void awaitReplies(App client, int count, Duration interval) throws InterruptedException {
        Duration patience = interval.multipliedBy(count).plusSeconds(30);
        if (client.log().await(l -> counterOf(l) >= count, patience).isEmpty()) {
            throw new IllegalStateException("the client did not get " + count + " replies within " + patience.toSeconds()
                    + " s; its log: " + client.log().lines());
        }
    }

    private static long counterOf(LogLine line) {
        return line.stream() == LogLine.Stream.STDOUT ? CounterClient.counterIn(line.text()).orElse(-1) : -1;
    }

    private static void printClientLog(PrintStream out, String setup, App client) {
        out.println("*** " + setup + ": Current log of the client:");
        client.log().lines(LogLine.Stream.STDOUT).forEach(l -> out.println(l.format()));
    }

    /** The scenario's promise: the client's counter went 1, 2, 3, ... with no reset, repeat or skip. */
    private static boolean checkCounter(PrintStream out, App client) {
        List<Long> values = client.log().lines(LogLine.Stream.STDOUT).stream().map(DemoCommand::counterOf)
                .filter(v -> v >= 0).toList();
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) != i + 1) {
                out.println("!!! FAILED: reply #" + (i + 1) + " carried counter " + values.get(i) + ", expected "
                        + (i + 1) + ": " + values);
                return false;
            }
        }
        out.println("*** Check passed: the client's counter went 1, 2, ..., " + values.size()
                + " across both migrations, with no reset, repeat or skip");
        return true;
    }
}
