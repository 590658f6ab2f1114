package net.mignet.migrate;

import static net.mignet.migrate.MigrationTest.assertStrictlyCounting;
import static net.mignet.migrate.MigrationTest.awaitReplies;
import static net.mignet.migrate.MigrationTest.counters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import net.mignet.app.App;
import net.mignet.app.AppManager;
import net.mignet.app.DeployOptions;
import net.mignet.apps.CounterClient;
import net.mignet.apps.CounterService;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import net.mignet.testing.TestImages;
import net.mignet.topo.HostContainer;
import net.mignet.topo.HostImage;
import net.mignet.topo.HostSpec;
import net.mignet.topo.Topology;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scenario with every host on Debian 13 and the counter service as an app container: it counts on. */
class ContainerMigrationTest {
    @BeforeEach
    void needsImages() {
        KernelAssumptions.assumeTool("nft");
        TestImages.assumeDebian13();
    }

    static Topology scenarioOnDebian() {
        Topology t = MigrationTest.scenario();
        return new Topology(t.name(), t.hosts().stream().map(h -> new HostSpec(h.name(), h.defaultIp(),
                HostContainer.of(TestImages.DEBIAN_13))).toList(), t.switches(), t.links());
    }

    @Test
    void the_counter_container_moves_between_image_hosts_and_counts_strictly() throws Exception {
        try (Emulation net = Emulation.start(scenarioOnDebian()); AppManager apps = new AppManager(net)) {
            apps.deployJava("counter", net.host("h2"), CounterService.class, List.of("--listen", "10.0.0.12:8888"),
                    DeployOptions.DEFAULT.withImage("debian:13"));
            App client = apps.deployJava("client", net.host("h1"), CounterClient.class,
                    List.of("--server", "10.0.0.12:8888", "--interval", "10ms"));
            awaitReplies(client, 10);
            for (String target : List.of("h3", "h2", "h3")) {
                MigrationReport r = Migration.of(apps, "counter").to(net.host(target)).observedBy(client).run();
                System.out.println(r.summary());
                assertThat(apps.get("counter").host().name()).isEqualTo(target);
                assertThat(apps.get("counter").image()).contains(HostImage.of("debian:13"));
                awaitReplies(client, counters(client).size() + 5);
            }
            assertThatThrownBy(() -> Migration.of(apps, "counter").to(net.host("h2"))
                    .strategy("checkpoint").run()).hasMessageContaining("cannot checkpoint")
                    .hasMessageContaining("join-ns pid namespace not supported").hasMessageContaining("recipe");
            client.stop(Duration.ofSeconds(2));
            List<Long> values = counters(client);
            assertThat(values.size()).isGreaterThan(20);
            assertStrictlyCounting(values);
        }
    }
}
