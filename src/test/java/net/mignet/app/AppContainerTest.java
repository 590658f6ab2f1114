package net.mignet.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import net.mignet.net.Emulation;
import net.mignet.net.Host;
import net.mignet.testing.KernelAssumptions;
import net.mignet.testing.TestImages;
import net.mignet.topo.HostContainer;
import net.mignet.topo.HostImage;
import net.mignet.topo.Ipv4Prefix;
import net.mignet.topo.Topology;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Apps in containers of their own (deploy --image) on bare hosts and on image hosts. */
class AppContainerTest {
    private static final DeployOptions IN_DEBIAN = DeployOptions.DEFAULT.withImage("debian:13");

    @BeforeEach
    void needsImages() {
        KernelAssumptions.assumeTool("nft");
        TestImages.assumeDebian13();
    }

    private static Topology topology() {
        return Topology.builder("appimg")
                .addHost("h1", Ipv4Prefix.parse("10.0.0.1/24"))
                .addHost("h2", Ipv4Prefix.parse("10.0.0.2/24"), HostContainer.of(TestImages.DEBIAN_13))
                .addSwitch("s1").addLink("h1", "s1").addLink("h2", "s1").build();
    }

    private static void awaitLine(App app, String text) throws InterruptedException {
        assertThat(app.log().await(l -> l.text().contains(text), Duration.ofSeconds(10)))
                .as("%s printed %s: %s", app.name(), text, app.log().lines()).isPresent();
    }

    @Test
    void an_app_container_has_its_image_and_its_hosts_network() throws Exception {
        try (Emulation net = Emulation.start(topology()); AppManager apps = new AppManager(net)) {
            Host h1 = net.host("h1");
            App app = apps.deploy("c1", h1, List.of("sh", "-c",
                    "grep VERSION_ID /etc/os-release; hostname; ip -color=never -4 -o addr show; echo done; sleep 30"), IN_DEBIAN);
            awaitLine(app, "done");
            String out = String.join("\n", app.log().lines().stream().map(LogLine::text).toList());
            assertThat(out).contains("VERSION_ID=\"13\"").contains("10.0.0.1/24").contains("h1");
            assertThat(app.deployOptions().image()).isEqualTo(HostImage.of("debian:13"));
            assertThat(app.isRunning()).isTrue();
            // The host itself keeps the machine's file system.
            assertThat(h1.exec("cat", "/etc/os-release").orThrow().stdout()).doesNotContain("VERSION_ID=\"13\"");
            assertThat(app.stop(Duration.ofSeconds(2))).isNotEqualTo(0);
        }
    }

    @Test
    void an_app_container_on_an_image_host_lives_in_the_hosts_pid_namespace() throws Exception {
        try (Emulation net = Emulation.start(topology()); AppManager apps = new AppManager(net)) {
            Host h2 = net.host("h2");
            App app = apps.deploy("c2", h2, List.of("sh", "-c", "echo started; exec sleep 30"), IN_DEBIAN);
            awaitLine(app, "started");
            assertThat(h2.exec("ps", "-e", "-o", "comm=").orThrow().stdout()).contains("sleep");
            assertThat(h2.exec("hostname").orThrow().stdout().strip()).isEqualTo("h2");
            assertThatThrownBy(() -> apps.deploy("bad", h2, List.of("true"),
                    DeployOptions.NO_TTY.withTty(true).withPidNamespace(true).withImage("debian:13")))
                    .hasMessageContaining("--pid-ns");
        }
    }
}
