package net.mignet.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.mignet.app.App;
import net.mignet.app.AppManager;
import net.mignet.app.DeployOptions;
import net.mignet.apps.CounterClient;
import net.mignet.image.CriuInstallation;
import net.mignet.image.CriuLookup;
import net.mignet.kernel.PidNamespaceInit;
import net.mignet.kernel.PipeSizeLimit;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Apps in a pid namespace of their own migrate by checkpoint, plainly and post-copy ({@code --lazy}): the copy
 * runs at once in the target while its pages follow from the frozen original.
 */
class LazyCheckpointTest {
    private static final DeployOptions PID_NS = DeployOptions.DEFAULT.withPidNamespace(true);
    /** 256 MB, every page touched, then a UDP counter on the service address. */
    private static final String BIG = """
            import socket
            ballast = bytearray(256 << 20)
            for i in range(0, len(ballast), 4096):
                ballast[i] = 1
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("10.0.0.12", 8888))
            print("Serving", flush=True)
            n = 0
            while True:
                data, peer = s.recvfrom(100)
                n += 1
                s.sendto(str(n).encode(), peer)
            """;

    @BeforeEach
    void needs() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("python3");
        CriuLookup criu = CriuInstallation.find();
        String why = !criu.isAvailable() ? criu.unavailableReason()
                : PidNamespaceInit.installed().isEmpty() ? "tini is not installed (scripts/lib.sh installs it)"
                : criu.installation().lazyPages().supported() ? null : criu.installation().lazyPages().reason();
        if (why != null) {
            System.err.println("SKIPPED: " + why);
        }
        Assumptions.assumeTrue(why == null, why);
    }

    private static App client(AppManager apps, Emulation net) {
        return apps.deployJava("client", net.host("h1"), CounterClient.class,
                List.of("--server", "10.0.0.12:8888", "--interval", "10ms", "--timeout", "2s", "--plain", "yes"));
    }

    private static MigrationReport migrate(AppManager apps, Emulation net, String app, String target, boolean lazy,
            App client) throws Exception {
        MigrationReport r = Migration.of(apps, app).to(net.host(target)).strategy("checkpoint")
                .options(MigrationOptions.DEFAULTS.withLazy(lazy)).observedBy(client).run();
        System.out.println((lazy ? "lazy:  " : "plain: ") + r.summary());
        assertThat(r.strategy()).isEqualTo("checkpoint");
        assertThat(r.held().dropped()).isZero();
        assertThat(apps.get(app).host().name()).isEqualTo(target);
        assertThat(apps.get(app).hasOwnPidNamespace()).isTrue();
        assertThat(r.phases()).extracting(Phase::name).contains("dump", "transfer", "restore");
        if (lazy) {
            assertThat(r.phases()).extracting(Phase::name).contains("lazy-pages", "pages");
        }
        return r;
    }

    @Test
    void the_published_server_in_its_own_pid_namespace_moves_plainly_and_lazily_and_the_counter_goes_on()
            throws Exception {
        try (Emulation net = Emulation.start(MigrationTest.scenario()); AppManager apps = new AppManager(net)) {
            App server = apps.deploy("server", net.host("h2"),
                    List.of("python3", OriginalProtocolTest.script("server.py"), "h2", "--pause", "0"), PID_NS);
            assertThat(server.log().await(l -> l.text().startsWith("Serving from"), Duration.ofSeconds(20)))
                    .isPresent();
            App client = client(apps, net);
            MigrationTest.awaitReplies(client, 3);
            String[] targets = {"h3", "h2", "h3", "h2"};
            boolean[] lazy = {false, true, true, false};
            StringBuilder downtimes = new StringBuilder();
            for (int i = 0; i < targets.length; i++) {
                MigrationReport r = migrate(apps, net, "server", targets[i], lazy[i], client);
                downtimes.append(lazy[i] ? " lazy " : " plain ").append(r.client().downtime().toMillis())
                        .append(" ms (paused ").append(r.serviceGap().toMillis()).append(" ms)");
                MigrationTest.awaitReplies(client, MigrationTest.counters(client).size() + 3);
            }
            System.out.println("small server, client downtime:" + downtimes);
            client.stop(Duration.ofSeconds(2));
            MigrationTest.assertStrictlyCounting(MigrationTest.counters(client));
            assertThat(apps.get("server").log().lines()).anyMatch(l -> l.text().startsWith("Serving from 0"));
            assertSigtermReachesTheServer(apps.get("server"));
            assertNothingLeft(net, "server");
        }
    }

    @Test
    void post_copy_pauses_a_256_mb_process_for_a_small_part_of_a_plain_checkpoint() throws Exception {
        long pipeLimit = PipeSizeLimit.current();
        try (Emulation net = Emulation.start(MigrationTest.scenario()); AppManager apps = new AppManager(net)) {
            App big = apps.deploy("big", net.host("h2"), List.of("python3", "-c", BIG), PID_NS);
            assertThat(big.log().await(l -> l.text().equals("Serving"), Duration.ofSeconds(30))).isPresent();
            long rssKb = residentKb(big.programPid().orElseThrow());
            App client = client(apps, net);
            MigrationTest.awaitReplies(client, 3);
            MigrationReport plain = migrate(apps, net, "big", "h3", false, client);
            MigrationTest.awaitReplies(client, MigrationTest.counters(client).size() + 3);
            MigrationReport lazy = migrate(apps, net, "big", "h2", true, client);
            MigrationTest.awaitReplies(client, MigrationTest.counters(client).size() + 3);
            client.stop(Duration.ofSeconds(2));
            MigrationTest.assertStrictlyCounting(MigrationTest.counters(client));
            System.out.printf("%d MiB resident: plain checkpoint paused it %d ms (client downtime %d ms); --lazy"
                            + " paused it %d ms (client downtime %d ms, %.0f%% of plain), its pages then took"
                            + " %d ms; state network %d vs %d bytes%n", rssKb / 1024, plain.serviceGap().toMillis(),
                    plain.client().downtime().toMillis(), lazy.serviceGap().toMillis(),
                    lazy.client().downtime().toMillis(),
                    100.0 * lazy.serviceGap().toNanos() / plain.serviceGap().toNanos(),
                    lazy.phase("pages").toMillis(), plain.stateNetworkBytes(), lazy.stateNetworkBytes());
            assertThat(rssKb).isGreaterThan(256 * 1024);
            assertThat(lazy.serviceGap()).as("post-copy pause against plain")
                    .isLessThan(plain.serviceGap().dividedBy(3));
            assertThat(lazy.stateNetworkBytes()).as("every page crossed the state network")
                    .isGreaterThan(200L << 20);
            assertThat(PipeSizeLimit.current()).as("fs.pipe-max-size put back").isEqualTo(pipeLimit);
            assertThat(apps.get("big").stop(Duration.ofSeconds(3))).isEqualTo(128 + 15);
            assertNothingLeft(net, "big");
        }
    }

    @Test
    void a_lazy_restore_that_fails_resumes_the_frozen_original() throws Exception {
        try (Emulation net = Emulation.start(MigrationTest.scenario()); AppManager apps = new AppManager(net)) {
            App server = apps.deploy("server", net.host("h2"),
                    List.of("python3", OriginalProtocolTest.script("server.py"), "h2", "--pause", "0"), PID_NS);
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
            App client = client(apps, net);
            MigrationTest.awaitReplies(client, 3);
            long t0 = System.nanoTime();
            MigrationFailedException failed = org.junit.jupiter.api.Assertions.assertThrows(
                    MigrationFailedException.class, () -> Migration.of(apps, "server").to(net.host("h3"))
                            .strategy("checkpoint").options(MigrationOptions.DEFAULTS.withLazy(true))
                            .log(System.out::println).run());
            System.out.println("failed lazy migration rolled back after " + (System.nanoTime() - t0) / 1_000_000
                    + " ms");
            assertThat(failed).hasMessageContaining("rolled back").hasMessageContaining("criu restore");
            assertThat(apps.get("server")).isSameAs(server);
            assertThat(server.isRunning()).isTrue();
            MigrationTest.awaitReplies(client, MigrationTest.counters(client).size() + 3);
            client.stop(Duration.ofSeconds(2));
            MigrationTest.assertStrictlyCounting(MigrationTest.counters(client));
            assertSigtermReachesTheServer(server);
        } // criu's kept logs go with the emulation's directory
    }

    @Test
    void lazy_without_a_pid_namespace_says_how_to_deploy() throws Exception {
        try (Emulation net = Emulation.start(MigrationTest.scenario()); AppManager apps = new AppManager(net)) {
            apps.deploy("server", net.host("h2"), List.of("python3", OriginalProtocolTest.script("server.py"), "h2"));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Migration.of(apps, "server").to(net.host("h3"))
                    .strategy("checkpoint").options(MigrationOptions.DEFAULTS.withLazy(true)).run())
                    .hasMessageContaining("--lazy").hasMessageContaining("deploy --pid-ns")
                    .hasMessageContaining("pid_namespace: true");
            assertThat(apps.get("server").isRunning()).isTrue();
        }
    }

    /** The published server hands its counter over on SIGTERM and keeps running, so stop ends with SIGKILL. */
    private static void assertSigtermReachesTheServer(App server) throws Exception {
        assertThat(server.stop(Duration.ofSeconds(1))).isEqualTo(128 + 9);
        assertThat(server.log().lines()).as("SIGTERM through its init").anyMatch(l -> l.text()
                .startsWith("Sent the counter"));
    }

    /** No criu left running, no images of {@code app} left behind. */
    private static void assertNothingLeft(Emulation net, String app) throws Exception {
        Path checkpoints = net.id().stateDirectory().resolve("checkpoints");
        assertThat(ProcessHandle.current().descendants().map(h -> h.info().commandLine().orElse(""))
                .filter(c -> c.contains("criu")).toList()).as("criu processes").isEmpty();
        if (Files.isDirectory(checkpoints)) {
            try (var left = Files.list(checkpoints)) {
                assertThat(left.filter(p -> p.getFileName().toString().startsWith(app + "-")).toList())
                        .as("checkpoint directories").isEmpty();
            }
        }
    }

    private static long residentKb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
