package net.mignet.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.mignet.app.App;
import net.mignet.app.AppManager;
import net.mignet.app.DeployOptions;
import net.mignet.topo.ResourceLimits;
import net.mignet.image.CriuInstallation;
import net.mignet.kernel.ProcessTree;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The original example's server, unmodified and without a recipe, migrates by checkpoint and restore. */
class CheckpointStrategyTest {

    @BeforeEach
    void needs() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("python3");
        KernelAssumptions.assumeCriu();
    }

    @Test
    void the_published_server_moves_ten_times_by_checkpoint_and_the_counter_goes_on() throws Exception {
        try (Emulation net = Emulation.start(MigrationTest.scenario()); AppManager apps = new AppManager(net)) {
            App server = apps.deploy("server", net.host("h2"),
                    List.of("python3", OriginalProtocolTest.script("server.py"), "h2"));
            assertThat(server.log().await(l -> l.text().startsWith("Serving from"), Duration.ofSeconds(20)))
                    .isPresent();
            App client = apps.deploy("client", net.host("h1"),
                    List.of("python3", OriginalProtocolTest.script("client.py")));
            MigrationTest.awaitReplies(client, 2);
            List<MigrationReport> reports = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String target = i % 2 == 0 ? "h3" : "h2";
                MigrationReport r = Migration.of(apps, "server").to(net.host(target)).strategy("checkpoint")
                        .observedBy(client).run();
                System.out.println((i + 1) + ": " + r.summary());
                reports.add(r);
                assertThat(r.strategy()).isEqualTo("checkpoint");
                assertThat(r.held().dropped()).isZero();
                assertThat(r.stateBytes()).isPositive();
                assertThat(apps.get("server").host().name()).isEqualTo(target);
                assertThat(apps.apps()).extracting(App::name).containsExactlyInAnyOrder("server", "client");
                MigrationTest.awaitReplies(client, MigrationTest.counters(client).size() + 2);
            }
            client.stop(Duration.ofSeconds(2));
            MigrationTest.assertStrictlyCounting(MigrationTest.counters(client));
            assertThat(apps.get("server").log().lines()).anyMatch(l -> l.text().startsWith("Serving from 0"));
            // The log goes on across the moves: what the restored copy prints now lands in the same log.
            App moved = apps.get("server");
            java.time.Instant now = java.time.Instant.now();
            assertThat(moved.signal(15)).isTrue(); // the published server prints that it sent its counter, and runs on
            assertThat(moved.log().await(l -> !l.time().isBefore(now) && l.text().startsWith("Sent the counter"),
                    Duration.ofSeconds(10))).as("log: %s", moved.log().lines()).isPresent();
            List<Long> gaps = reports.stream().map(r -> r.phase("dump").plus(r.phase("transfer"))
                    .plus(r.phase("restore")).toMillis()).sorted().toList();
            System.out.println("checkpoint freeze (dump + transfer + restore) ms, sorted: " + gaps);
        }
    }

    @Test
    void an_app_keeps_its_own_limits_across_a_checkpoint() throws Exception {
        KernelAssumptions.assumeCgroupController("memory");
        try (Emulation net = Emulation.start(MigrationTest.scenario()); AppManager apps = new AppManager(net)) {
            ResourceLimits own = ResourceLimits.parse(List.of("memory=200m"));
            App server = apps.deploy("server", net.host("h2"),
                    List.of("python3", OriginalProtocolTest.script("server.py"), "h2"),
                    DeployOptions.DEFAULT.withLimits(own));
            assertThat(server.log().await(l -> l.text().startsWith("Serving from"), Duration.ofSeconds(20)))
                    .isPresent();
            Migration.of(apps, "server").to(net.host("h3")).strategy("checkpoint").run();
            App moved = apps.get("server");
            assertThat(moved.host().name()).isEqualTo("h3");
            assertThat(moved.limits()).isEqualTo(own);
            // The restored process itself is in the app's cgroup on h3, not only counted in the host's.
            assertThat(Files.readString(Path.of("/proc/" + moved.pid() + "/cgroup"))).contains("app.server");
        }
    }

    @Test
    void a_moved_app_leaves_its_old_hosts_cgroup_for_its_new_hosts() throws Exception {
        KernelAssumptions.assumeCgroupController("memory");
        try (Emulation net = Emulation.start(MigrationTest.scenario()); AppManager apps = new AppManager(net)) {
            String h2 = net.host("h2").namespace();
            net.host("h2").limit(ResourceLimits.parse(List.of("memory=300m")));
            App server = apps.deploy("server", net.host("h2"),
                    List.of("python3", OriginalProtocolTest.script("server.py"), "h2"));
            assertThat(server.log().await(l -> l.text().startsWith("Serving from"), Duration.ofSeconds(20)))
                    .isPresent();
            assertThat(memoryCgroupOf(server.pid())).contains(h2);

            Migration.of(apps, "server").to(net.host("h3")).strategy("checkpoint").run();
            // h3 has no limits: the copy must not keep h2's (criu restores into the cgroups it dumped from).
            assertThat(memoryCgroupOf(apps.get("server").pid())).doesNotContain(h2);

            Migration.of(apps, "server").to(net.host("h2")).strategy("checkpoint").run();
            assertThat(memoryCgroupOf(apps.get("server").pid())).contains(h2);
        }
    }

    @Test
    void a_connection_over_loopback_to_a_process_staying_behind_is_named_before_the_move() throws Exception {
        try (Emulation net = Emulation.start(MigrationTest.scenario()); AppManager apps = new AppManager(net)) {
            App local = apps.deploy("local", net.host("h2"), List.of("python3", "-c", """
                    import socket, time
                    s = socket.socket()
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind(("127.0.0.1", 7300))
                    s.listen()
                    print("listening", flush=True)
                    c, _ = s.accept()
                    time.sleep(600)
                    """));
            assertThat(local.log().await(l -> l.text().equals("listening"), Duration.ofSeconds(10))).isPresent();
            App user = apps.deploy("user", net.host("h2"), List.of("python3", "-c", """
                    import socket, time
                    c = socket.create_connection(("127.0.0.1", 7300))
                    print("connected", flush=True)
                    time.sleep(600)
                    """));
            assertThat(user.log().await(l -> l.text().equals("connected"), Duration.ofSeconds(10))).isPresent();
            List<String> said = new java.util.concurrent.CopyOnWriteArrayList<>();
            Migration.of(apps, "user").to(net.host("h3")).strategy("checkpoint").log(said::add).run();
            assertThat(said).anySatisfy(l -> assertThat(l).startsWith("!!! user has a connection over loopback to a"
                    + " process that stays on h2 (127.0.0.1:").contains(" -> 127.0.0.1:7300)"));
        }
    }

    private static String memoryCgroupOf(long pid) throws Exception {
        return Files.readAllLines(Path.of("/proc/" + pid + "/cgroup")).stream().filter(l -> l.contains(":memory:"))
                .findFirst().orElseThrow();
    }

    @Test
    void a_restore_that_fails_on_the_target_restores_the_app_where_it_was() throws Exception {
        try (Emulation net = Emulation.start(MigrationTest.scenario()); AppManager apps = new AppManager(net)) {
            App server = apps.deploy("server", net.host("h2"),
                    List.of("python3", OriginalProtocolTest.script("server.py"), "h2"));
            assertThat(server.log().await(l -> l.text().startsWith("Serving from"), Duration.ofSeconds(20)))
                    .isPresent();
            // Something else holds the service port on h3, so criu cannot bind the restored socket there.
            App blocker = apps.deploy("blocker", net.host("h3"), List.of("python3", "-c", """
                    import socket, time
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    s.bind(("10.0.0.12", 8888))
                    print("bound", flush=True)
                    time.sleep(600)
                    """));
            assertThat(blocker.log().await(l -> l.text().equals("bound"), Duration.ofSeconds(10))).isPresent();
            App client = apps.deploy("client", net.host("h1"),
                    List.of("python3", OriginalProtocolTest.script("client.py")));
            MigrationTest.awaitReplies(client, 2);
            MigrationFailedException failed = org.junit.jupiter.api.Assertions.assertThrows(
                    MigrationFailedException.class, () -> Migration.of(apps, "server").to(net.host("h3"))
                            .strategy("checkpoint").log(System.out::println).run());
            assertThat(failed).hasMessageContaining("rolled back").hasMessageContaining("criu restore")
                    .hasMessageContaining("whole log: " + net.id().stateDirectory().resolve("checkpoints") + "/");
            Matcher logs = Pattern.compile("whole log: (" + Pattern.quote(net.id().stateDirectory().resolve("checkpoints").toString()) + "/[^/]+)/").matcher(failed.getMessage());
            assertThat(logs.find()).isTrue();
            Path kept = Path.of(logs.group(1));
            try (var left = Files.list(kept)) {
                assertThat(left.map(p -> p.getFileName().toString())).contains("dump.log", "restore.log")
                        .allMatch(n -> n.endsWith(".log"));
            } finally {
                try (var all = Files.walk(kept)) {
                    for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            App back = apps.get("server");
            assertThat(back.host().name()).isEqualTo("h2");
            assertThat(back.isRunning()).isTrue();
            MigrationTest.awaitReplies(client, MigrationTest.counters(client).size() + 2);
            client.stop(Duration.ofSeconds(2));
            MigrationTest.assertStrictlyCounting(MigrationTest.counters(client));
        }
    }

    /**
     * A shell with children: when the restore on the target fails, criu kills the copy, whose children (the very
     * pids of the original's) must be reaped before the rollback restores them on the source host.
     */
    @Test
    void an_app_with_children_whose_restore_fails_is_restored_where_it_was() throws Exception {
        try (Emulation net = Emulation.start(MigrationTest.scenario()); AppManager apps = new AppManager(net)) {
            App blocker = apps.deploy("blocker", net.host("h3"), List.of("python3", "-c", BIND_AND_SLEEP));
            assertThat(blocker.log().await(l -> l.text().equals("bound"), Duration.ofSeconds(10))).isPresent();
            App app = apps.deploy("app", net.host("h2"), List.of("sh", "-c",
                    "python3 -c '" + BIND_AND_SLEEP + "' & sleep 600 & wait"));
            assertThat(app.log().await(l -> l.text().equals("bound"), Duration.ofSeconds(10))).isPresent();
            Set<Long> before = ProcessTree.of(app.pid());
            assertThat(before).hasSize(3);

            assertThatThrownBy(() -> Migration.of(apps, "app").to(net.host("h3")).strategy("checkpoint").run())
                    .isInstanceOf(MigrationFailedException.class).hasMessageContaining("rolled back");

            App back = apps.get("app");
            assertThat(back.host().name()).isEqualTo("h2");
            assertThat(back.isRunning()).isTrue();
            assertThat(ProcessTree.of(back.pid())).isEqualTo(before);
        }
    }

    private static final String BIND_AND_SLEEP = """
            import socket, time
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("10.0.0.12", 8888))
            print("bound", flush=True)
            time.sleep(600)
            """;

    @Test
    void pre_dump_rounds_and_post_copy_say_why_not() throws Exception {
        try (Emulation net = Emulation.start(MigrationTest.scenario()); AppManager apps = new AppManager(net)) {
            apps.deploy("server", net.host("h2"), List.of("python3", OriginalProtocolTest.script("server.py"), "h2"));
            CriuInstallation criu = CriuInstallation.find().installation();
            if (!criu.checkpointRounds().supported()) {
                assertThatThrownBy(() -> Migration.of(apps, "server").to(net.host("h3")).strategy("checkpoint")
                        .options(MigrationOptions.DEFAULTS.withRounds(3)).run())
                        .hasMessageContaining("unsupported here because").hasMessageContaining("mem_dirty_track");
            }
            assertThatThrownBy(() -> Migration.of(apps, "server").to(net.host("h3")).strategy("checkpoint")
                    .options(MigrationOptions.DEFAULTS.withLazy(true)).run())
                    .hasMessageContaining("--lazy");
            assertThat(apps.get("server").host().name()).isEqualTo("h2");
            assertThat(apps.get("server").isRunning()).isTrue();
        }
    }
}
