package net.mignet.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.mignet.app.App;
import net.mignet.app.AppConditions;
import net.mignet.app.AppManager;
import net.mignet.app.LogLine;
import net.mignet.apps.CounterClient;
import net.mignet.apps.CounterService;
import net.mignet.linkemu.DirectionStats;
import net.mignet.net.Emulation;
import net.mignet.net.Link;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.MigrationRecipe;
import net.mignet.topo.Topology;
import net.mignet.topo.YamlTopologyLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MigrationTest {

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
    }

    static Topology scenario() {
        return YamlTopologyLoader.load(Path.of("examples/service-migration.yaml"));
    }

    /** The counters the client printed, in order. */
    static List<Long> counters(App client) {
        List<Long> values = new ArrayList<>();
        for (LogLine l : client.log().lines(LogLine.Stream.STDOUT)) {
            if (l.text().startsWith("Current counter: ")) {
                values.add(Long.parseLong(l.text().substring("Current counter: ".length())));
            }
        }
        return values;
    }

    static void assertStrictlyCounting(List<Long> values) {
        for (int i = 0; i < values.size(); i++) {
            assertThat(values.get(i)).as("counter #%d of %s", i + 1, values).isEqualTo(i + 1L);
        }
    }

    static void awaitReplies(App client, int atLeast) throws InterruptedException {
        assertThat(client.log().await(l -> l.text().startsWith("Current counter: ")
                && Long.parseLong(l.text().substring(17)) >= atLeast, Duration.ofSeconds(20)))
                .as("client reached %d: %s", atLeast, client.log().lines()).isPresent();
    }

    @Test
    void the_counter_moves_back_and_forth_without_reset_repeat_or_skip() throws Exception {
        try (Emulation net = Emulation.start(scenario()); AppManager apps = new AppManager(net)) {
            apps.deployJava("counter", net.host("h2"), CounterService.class, List.of("--listen", "10.0.0.12:8888"));
            App client = apps.deployJava("client", net.host("h1"), CounterClient.class,
                    List.of("--server", "10.0.0.12:8888", "--interval", "10ms"));
            awaitReplies(client, 10);
            List<MigrationReport> reports = new ArrayList<>();
            String[] targets = {"h3", "h2", "h3", "h2"};
            for (String target : targets) {
                MigrationReport r = Migration.of(apps, "counter").to(net.host(target)).observedBy(client).run();
                System.out.println(r.summary());
                reports.add(r);
                assertThat(apps.get("counter").host().name()).isEqualTo(target);
                assertThat(r.stateBytes()).isPositive();
                assertThat(r.client()).isNotNull();
                assertThat(r.flowChanges()).hasSize(1);
                awaitReplies(client, counters(client).size() + 5);
            }
            client.stop(Duration.ofSeconds(2));
            List<Long> values = counters(client);
            assertThat(values.size()).isGreaterThan(30);
            assertStrictlyCounting(values);
            assertThat(apps.apps()).extracting(App::name).containsExactlyInAnyOrder("counter", "client");
        }
    }

    /**
     * Only the app that serves on the service address takes its traffic along: a helper on the same host (here a
     * {@code sleep}) moves without it, and the service goes on answering from where it runs.
     */
    @Test
    void an_app_serving_nothing_on_the_service_address_moves_without_the_service_traffic() throws Exception {
        try (Emulation net = Emulation.start(scenario()); AppManager apps = new AppManager(net)) {
            apps.deployJava("counter", net.host("h2"), CounterService.class, List.of("--listen", "10.0.0.12:8888"));
            App client = apps.deployJava("client", net.host("h1"), CounterClient.class,
                    List.of("--server", "10.0.0.12:8888", "--interval", "10ms"));
            apps.deploy("helper", net.host("h2"), List.of("sleep", "1000"));
            awaitReplies(client, 5);
            List<String> said = new ArrayList<>();
            MigrationReport helper = Migration.of(apps, "helper").to(net.host("h3")).recipe(MigrationRecipe.DEFAULT)
                    .observedBy(client).log(said::add).run();
            assertThat(helper.client()).as("the client's service did not move").isNull();
            assertThat(apps.get("helper").host().name()).isEqualTo("h3");
            assertThat(helper.flowChanges()).isEmpty();
            assertThat(said).anyMatch(l -> l.startsWith("*** helper served nothing on 10.0.0.12")
                    && l.endsWith("where another program serves it (udp:8888)"));
            awaitReplies(client, counters(client).size() + 5);

            // An exporter bound to all addresses serves 10.0.0.12 less specifically than the counter bound to it.
            App exporter = apps.deploy("exporter", net.host("h2"), List.of("python3", "-m", "http.server", "9100"));
            AppConditions.await("wait", MigrationRecipe.Condition.parse("tcp:9100", "wait"), exporter,
                    exporter.started(), Duration.ofSeconds(20));
            said.clear();
            MigrationReport moved = Migration.of(apps, "exporter").to(net.host("h3")).recipe(MigrationRecipe.DEFAULT)
                    .log(said::add).run();
            assertThat(moved.flowChanges()).isEmpty();
            assertThat(said).anyMatch(l -> l.startsWith("*** exporter serves 10.0.0.12 only as one of all its"
                    + " addresses, and another program on h2 is bound to it (udp:8888)"));
            awaitReplies(client, counters(client).size() + 5);

            MigrationReport counter = Migration.of(apps, "counter").to(net.host("h3")).observedBy(client).run();
            assertThat(counter.flowChanges()).hasSize(1);
            awaitReplies(client, counters(client).size() + 5);
            client.stop(Duration.ofSeconds(2));
            assertStrictlyCounting(counters(client));
        }
    }

    @Test
    void twenty_migrations_with_a_10ms_client_over_a_lossy_internal_network_count_strictly() throws Exception {
        try (Emulation net = Emulation.start(scenario()); AppManager apps = new AppManager(net)) {
            List<Link> internal = net.links().stream()
                    .filter(l -> l.a().interfaceName().endsWith("-int")).toList();
            assertThat(internal).hasSize(2);
            internal.forEach(l -> l.set(l.params().with("loss", "10%")));
            apps.deployJava("counter", net.host("h2"), CounterService.class, List.of("--listen", "10.0.0.12:8888"));
            App client = apps.deployJava("client", net.host("h1"), CounterClient.class,
                    List.of("--server", "10.0.0.12:8888", "--interval", "10ms"));
            awaitReplies(client, 10);
            List<MigrationReport> reports = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String target = i % 2 == 0 ? "h3" : "h2";
                MigrationReport r = Migration.of(apps, "counter").to(net.host(target)).observedBy(client).run();
                reports.add(r);
                System.out.println((i + 1) + ": " + r.summary());
                awaitReplies(client, counters(client).size() + 3);
            }
            client.stop(Duration.ofSeconds(2));
            assertStrictlyCounting(counters(client));
            assertThat(reports).allSatisfy(r -> {
                assertThat(r.client()).isNotNull();
                assertThat(r.client().downtime()).isNotNull();
                assertThat(r.stateBytes()).isPositive();
            });
            long dropped = internal.stream().flatMap(l -> l.engineStats().stream())
                    .mapToLong(DirectionStats::lost).sum();
            assertThat(dropped).as("the internal network really lost packets").isPositive();
            System.out.println("internal network lost " + dropped + " frames");
        }
    }
}
