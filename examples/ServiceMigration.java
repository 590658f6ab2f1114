// The service-migration scenario as a Java program you can read and change, like the original example's
// topology script. Run it (as root) from the repository root with:
//
//     sudo ./mignet script examples/ServiceMigration.java
//
// It builds the network, runs the counter service on h2 and its client on h1, moves the service to h3 and
// back, and prints the client's log and what each migration cost.

import java.time.Duration;
import java.util.List;
import net.mignet.app.App;
import net.mignet.app.AppManager;
import net.mignet.app.LogLine;
import net.mignet.apps.CounterClient;
import net.mignet.apps.CounterService;
import net.mignet.flow.FlowRuleParser;
import net.mignet.migrate.Migration;
import net.mignet.migrate.MigrationReport;
import net.mignet.net.Emulation;
import net.mignet.topo.Topology;

void main() throws Exception {
    Topology topo = Topology.builder("service-migration")
            .addHost("h1", "10.0.0.11/24").addHost("h2").addHost("h3")
            .addSwitch("s1")
            // Service network: h2 and h3 carry the same address and MAC; flow rules pick which one h1 reaches.
            .addLink("h1", "s1", o -> o.intfName1("h1-s1").intfName2("s1-h1").bw(1000).delay("5ms"))
            .addLink("h2", "s1", o -> o.intfName1("h2-s1").intfName2("s1-h2").ip1("10.0.0.12/24")
                    .mac1("00:00:00:00:00:12").bw(1000).delay("5ms"))
            .addLink("h3", "s1", o -> o.intfName1("h3-s1").intfName2("s1-h3").ip1("10.0.0.12/24")
                    .mac1("00:00:00:00:00:12").bw(1000).delay("5ms"))
            // Internal network: the service's state travels here.
            .addLink("h2", "s1", o -> o.intfName1("h2-s1-int").intfName2("s1-h2-int").ip1("192.168.0.12/24")
                    .bw(1000).delay("1ms"))
            .addLink("h3", "s1", o -> o.intfName1("h3-s1-int").intfName2("s1-h3-int").ip1("192.168.0.13/24")
                    .bw(1000).delay("1ms"))
            .addFlow("s1", FlowRuleParser.parse("in_port=s1-h1 actions=output:s1-h2"))
            .addFlow("s1", FlowRuleParser.parse("in_port=s1-h2 actions=output:s1-h1"))
            .addFlow("s1", FlowRuleParser.parse("in_port=s1-h3 actions=output:s1-h1"))
            .build();

    try (Emulation net = Emulation.start(topo); AppManager apps = new AppManager(net)) {
        System.out.println(net.host("h1").ping("10.0.0.12", 3).output());

        apps.deployJava("counter", net.host("h2"), CounterService.class, List.of("--listen", "10.0.0.12:8888"));
        App client = apps.deployJava("client", net.host("h1"), CounterClient.class,
                List.of("--server", "10.0.0.12:8888", "--interval", "100ms"));
        client.log().await(l -> l.text().equals("Current counter: 20"), Duration.ofSeconds(30));

        for (String target : List.of("h3", "h2")) {
            MigrationReport report = Migration.of(apps, "counter").to(net.host(target)).observedBy(client).run();
            System.out.println(report.summary());
            long seen = client.log().lines(LogLine.Stream.STDOUT).size();
            client.log().await(l -> l.text().equals("Current counter: " + (seen + 20)), Duration.ofSeconds(30));
        }

        System.out.println("*** The client's log:");
        client.log().lines(LogLine.Stream.STDOUT).forEach(l -> System.out.println(l.format()));
    }   // the network, its processes and rules are removed here, also on an exception or Ctrl-C
}
