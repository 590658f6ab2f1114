package net.mignet.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.mignet.app.App;
import net.mignet.app.AppManager;
import net.mignet.app.LogLine;
import net.mignet.apps.CounterService;
import net.mignet.flow.FlowRuleParser;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The original example's Python programs (client without timeout; SIGTERM makes the server send its counter
 * six times by UDP to the peer's port 9999; {@code --get_state}) run unchanged on mignet, as apps, with the
 * scenario's topology and flows.
 */
class OriginalProtocolTest {

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("python3");
        KernelAssumptions.assumeTool("ss");
    }

    static String script(String name) throws URISyntaxException {
        return Path.of(OriginalProtocolTest.class.getResource("/original/" + name).toURI()).toString();
    }

    @Test
    void the_original_programs_migrate_with_deploy_and_flow_mod() throws Exception {
        try (Emulation net = Emulation.start(MigrationTest.scenario()); AppManager apps = new AppManager(net)) {
            App server = apps.deploy("server", net.host("h2"), List.of("python3", "-u", script("server.py"),
                    "--peers", "192.168.0.12,192.168.0.13"));
            // The original client waits forever for a lost reply: start it only once the server listens.
            assertThat(server.log().await(l -> l.text().startsWith("Serving from"), Duration.ofSeconds(20)))
                    .isPresent();
            App client = apps.deploy("client", net.host("h1"), List.of("python3", "-u", script("client.py"), "0.5"));
            MigrationTest.awaitReplies(client, 3);

            // By hand, as the original topology script does it: new instance in get-state mode, SIGTERM the
            // old one (it sends its counter), then the flow change.
            App h3Server = apps.deploy("server-h3", net.host("h3"), List.of("python3", "-u", script("server.py"),
                    "--peers", "192.168.0.12,192.168.0.13", "--get_state"));
            new SignalHandover(List.of("--get_state"), 9999).awaitReady(null, h3Server, java.time.Instant.now(), Duration.ofSeconds(10));
            apps.remove("server");
            assertThat(h3Server.log().await(l -> l.text().equals("Got the counter 3")
                    || l.text().equals("Got the counter 4"), Duration.ofSeconds(5))).isPresent();
            net.switchNamed("s1").flowTable().modify(
                    FlowRuleParser.parseMatch("in_port=s1-h1").match(), null,
                    FlowRuleParser.parse("in_port=s1-h1 actions=output:s1-h3").action());
            MigrationTest.awaitReplies(client, 6);

            // And back with mignet's Migration driving the same protocol.
            MigrationReport back = Migration.of(apps, "server-h3").to(net.host("h2"))
                    .protocol(new SignalHandover(List.of("--get_state"), 9999)).run();
            System.out.println(back.summary());
            assertThat(back.flowChanges()).containsExactly("s1: in_port=s1-h1 actions=output:s1-h2");
            MigrationTest.awaitReplies(client, 9);

            List<Long> values = MigrationTest.counters(client);
            MigrationTest.assertStrictlyCounting(values);
            assertThat(apps.get("server-h3").host().name()).isEqualTo("h2");
            assertThat(apps.get("server-h3").log().lines()).extracting(LogLine::text).contains("Serving from "
                    + apps.get("server-h3").log().lines().stream().map(LogLine::text)
                            .filter(t -> t.startsWith("Got the counter ")).findFirst().orElseThrow()
                            .substring("Got the counter ".length()));
        }
    }

    @Test
    void the_original_client_also_counts_against_the_builtin_service() throws Exception {
        try (Emulation net = Emulation.start(MigrationTest.scenario()); AppManager apps = new AppManager(net)) {
            App counter = apps.deployJava("counter", net.host("h2"), CounterService.class,
                    List.of("--listen", "10.0.0.12:8888"));
            assertThat(counter.log().await(l -> l.text().startsWith("@mignet event=serving"), Duration.ofSeconds(20)))
                    .isPresent();
            App client = apps.deploy("client", net.host("h1"), List.of("python3", "-u", script("client.py"), "0.05"));
            MigrationTest.awaitReplies(client, 5);
            Migration.of(apps, "counter").to(net.host("h3")).run();
            MigrationTest.awaitReplies(client, 10);
            MigrationTest.assertStrictlyCounting(MigrationTest.counters(client));
        }
    }
}
