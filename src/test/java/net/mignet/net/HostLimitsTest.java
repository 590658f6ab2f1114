package net.mignet.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import net.mignet.app.App;
import net.mignet.app.AppManager;
import net.mignet.app.DeployOptions;
import net.mignet.kernel.EmulationId;
import net.mignet.kernel.PidNamespaceInit;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.ResourceLimits;
import net.mignet.topo.Topology;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Limits set at run time: a busy loop held to half a core, a memory hog killed and reported, its neighbour unharmed. */
class HostLimitsTest {
    @BeforeEach
    void needsCgroups() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("python3");
        KernelAssumptions.assumeCgroupLimits();
    }

    @Test
    void half_a_core_is_half_a_core() throws Exception {
        Topology t = TopologyGenerators.fromSpec("single,2");
        EmulationId id;
        try (Emulation net = Emulation.start(t); AppManager apps = new AppManager(net)) {
            id = net.id();
            Host h1 = net.host("h1");
            App busy = apps.deploy("busy", h1, List.of("sh", "-c", "while :; do :; done"), DeployOptions.NO_TTY);
            assertThat(h1.limit(ResourceLimits.parse(List.of("cpu=0.5"))).cpu()).isEqualTo(0.5);
            double share = share(h1, Duration.ofSeconds(5));
            System.err.printf("busy loop under cpu=0.5: %.3f of a core over 5 s%n", share);
            assertThat(share).isLessThanOrEqualTo(0.55);
            if (share < 0.45) {
                // Less than the limit allows: the limit, or a machine with no half core to spare? Ask the loop
                // without its limit (other builds share these 2 cores).
                h1.limit(ResourceLimits.parse(List.of("cpu=2")));
                double free = share(h1, Duration.ofSeconds(2));
                String reason = String.format("the machine is too busy to check the lower bound: the same loop"
                        + " without its limit got %.2f of a core (load %s)", free, java.nio.file.Files.readString(
                        java.nio.file.Path.of("/proc/loadavg")).strip());
                System.err.println("SKIPPED: " + reason);
                Assumptions.assumeTrue(free >= 0.6, reason);
                assertThat(share).as("under cpu=0.5 with %.2f of a core free", free).isGreaterThanOrEqualTo(0.45);
            }
            assertThat(busy.isRunning()).isTrue();
        }
        assertThat(ImageHostTest.cgroupsOf(id)).isEmpty();
    }

    @Test
    void apps_and_commands_of_a_limited_host_are_born_in_its_cgroups() throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                AppManager apps = new AppManager(net)) {
            Host h1 = net.host("h1");
            App before = apps.deploy("before", h1, List.of("sleep", "60"));
            h1.limit(ResourceLimits.parse(List.of("pids=50", "memory=128m")));
            App after = apps.deploy("after", h1, List.of("sleep", "60"));
            App ownPidNs = apps.deploy("pidns", h1, List.of("sleep", "60"), new DeployOptions(true, true));
            String cgroup = h1.namespace();
            assertThat(cgroupOf(before.pid())).as("moved in by limit").contains(cgroup);
            assertThat(cgroupOf(after.pid())).contains(cgroup);
            long program = PidNamespaceInit.programOf(ownPidNs.pid()).orElseThrow();
            assertThat(cgroupOf(program)).contains(cgroup);
            assertThat(h1.exec("cat", "/proc/self/cgroup").orThrow().stdout()).contains(cgroup);
            assertThat(net.host("h2").exec("cat", "/proc/self/cgroup").orThrow().stdout()).doesNotContain(cgroup);
        }
    }

    private static String cgroupOf(long pid) throws java.io.IOException {
        return java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "cgroup"));
    }

    /** The host's CPU use over {@code period} as a fraction of one core. */
    private static double share(Host host, Duration period) throws InterruptedException {
        Thread.sleep(300); // let a changed quota take hold before measuring
        long cpu0 = host.usage().orElseThrow().cpuNanos();
        long t0 = System.nanoTime();
        Thread.sleep(period.toMillis());
        return (host.usage().orElseThrow().cpuNanos() - cpu0) / (double) (System.nanoTime() - t0);
    }

    @Test
    void the_memory_limit_kills_the_hog_and_only_the_hog() throws Exception {
        Topology t = TopologyGenerators.fromSpec("single,2");
        try (Emulation net = Emulation.start(t); AppManager apps = new AppManager(net)) {
            Host h1 = net.host("h1");
            h1.limit(ResourceLimits.parse(List.of("memory=64m")));
            App quiet = apps.deploy("quiet", h1, List.of("sleep", "60"), DeployOptions.NO_TTY);
            App hog = apps.deploy("hog", h1, List.of("python3", "-c",
                    "import time\nb = b'x' * (200 << 20)\ntime.sleep(30)"), DeployOptions.NO_TTY);
            assertThat(hog.awaitExit(Duration.ofSeconds(20))).as("the hog ends").isTrue();
            assertThat(hog.exitStatus().getAsInt()).isEqualTo(137);
            assertThat(hog.oomKilled()).isTrue();
            assertThat(quiet.isRunning()).isTrue();
            assertThat(quiet.oomKilled()).isFalse();
            assertThat(h1.usage().orElseThrow().oomKills()).isPositive();
            // mignet's own SIGKILL is not the limit's.
            assertThat(quiet.stop(Duration.ZERO)).isNotZero();
            assertThat(quiet.oomKilled()).isFalse();
        }
    }
}
