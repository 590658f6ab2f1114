package net.mignet.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.mignet.app.App;
import net.mignet.app.AppManager;
import net.mignet.apps.CounterService;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.MigrationRecipe;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The original example's programs as published (see the scripts' comments: a client that never times out, a
 * server that sends its counter six times on SIGTERM and keeps running, output not flushed) migrate unmodified
 * by a recipe, with the scenario's topology and flows.
 */
class OriginalProtocolTest {

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("python3");
    }

    static String script(String name) {
        return Path.of("examples/original", name).toAbsolutePath().toString();
    }

    static MigrationRecipe recipe() {
        return MigrationRecipe.of(Map.of("successor", "python3 " + script("server.py") + " {host} --get_state",
                "ready", "udp:9999", "trigger", "TERM", "done", "log:^Got the counter"));
    }

    static App deployServer(AppManager apps, Emulation net) throws Exception {
        App server = apps.deploy("server", net.host("h2"), List.of("python3", script("server.py"), "h2"));
        server.migratesBy(recipe());
        // The original client waits forever for a lost reply: start it only once the server listens.
        assertThat(server.log().await(l -> l.text().startsWith("Serving from"), Duration.ofSeconds(20)))
                .as("server started: %s", server.log().lines()).isPresent();
        return server;
    }

    @Test
    void the_published_programs_migrate_ten_times_by_recipe_and_the_client_never_hangs() throws Exception {
        try (Emulation net = Emulation.start(MigrationTest.scenario()); AppManager apps = new AppManager(net)) {
            deployServer(apps, net);
            App client = apps.deploy("client", net.host("h1"), List.of("python3", script("client.py")));
            MigrationTest.awaitReplies(client, 2);
            for (int i = 0; i < 10; i++) {
                String target = i % 2 == 0 ? "h3" : "h2";
                MigrationReport r = Migration.of(apps, "server").to(net.host(target)).run();
                System.out.println((i + 1) + ": " + r.summary());
                assertThat(r.strategy()).isEqualTo("recipe");
                assertThat(r.held().dropped()).isZero();
                assertThat(r.flowChanges()).containsExactly("s1: in_port=s1-h1 actions=output:s1-" + target);
                assertThat(apps.get("server").host().name()).isEqualTo(target);
                assertThat(apps.apps()).extracting(App::name).containsExactlyInAnyOrder("server", "client");
                MigrationTest.awaitReplies(client, MigrationTest.counters(client).size() + 2);
            }
            MigrationTest.assertStrictlyCounting(MigrationTest.counters(client));
        }
    }

    @Test
    void a_successor_that_dies_rolls_the_migration_back() throws Exception {
        try (Emulation net = Emulation.start(MigrationTest.scenario()); AppManager apps = new AppManager(net)) {
            App server = deployServer(apps, net);
            App client = apps.deploy("client", net.host("h1"), List.of("python3", script("client.py")));
            MigrationTest.awaitReplies(client, 2);
            // A successor that cannot start: argparse refuses the unknown flag and exits 2.
            MigrationRecipe broken = recipe().with("successor", "python3 " + script("server.py") + " {host} --bogus");
            assertThatThrownBy(() -> Migration.of(apps, "server").to(net.host("h3")).recipe(broken).run())
                    .isInstanceOf(MigrationFailedException.class).hasMessageContaining("exited (status 2)");
            assertThat(apps.get("server")).isSameAs(server);
            assertThat(server.isRunning()).isTrue();
            assertThat(apps.apps()).extracting(App::name).containsExactlyInAnyOrder("server", "client");
            MigrationTest.awaitReplies(client, MigrationTest.counters(client).size() + 2);
            MigrationTest.assertStrictlyCounting(MigrationTest.counters(client));
        }
    }

    @Test
    void the_published_client_also_counts_against_the_builtin_service() throws Exception {
        try (Emulation net = Emulation.start(MigrationTest.scenario()); AppManager apps = new AppManager(net)) {
            App counter = apps.deployJava("counter", net.host("h2"), CounterService.class,
                    List.of("--listen", "10.0.0.12:8888"));
            assertThat(counter.log().await(l -> l.text().startsWith("@mignet event=serving"), Duration.ofSeconds(20)))
                    .isPresent();
            App client = apps.deploy("client", net.host("h1"), List.of("python3", script("client.py")));
            MigrationTest.awaitReplies(client, 2);
            MigrationReport r = Migration.of(apps, "counter").to(net.host("h3")).run();
            assertThat(r.strategy()).isEqualTo("handover");
            MigrationTest.awaitReplies(client, 4);
            MigrationTest.assertStrictlyCounting(MigrationTest.counters(client));
        }
    }
}
