package net.mignet.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import net.mignet.app.App;
import net.mignet.app.AppManager;
import net.mignet.app.DeployOptions;
import net.mignet.kernel.EmulationId;
import net.mignet.kernel.HostCgroup;
import net.mignet.kernel.PidNamespaceInit;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.HostContainer;
import net.mignet.topo.Ipv4Prefix;
import net.mignet.topo.ResourceLimits;
import net.mignet.topo.Topology;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Limits of an app tighter than its host's, in a cgroup of its own inside the host's: a busy loop held to its
 * share, a memory hog killed by its own limit while its neighbours run on, a limit above the host's refused, and a
 * host's lowered limit holding its apps within it.
 */
class AppLimitsTest {
    private static final String BUSY = "while :; do :; done";

    @BeforeEach
    void needsCgroups() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("python3");
        KernelAssumptions.assumeCgroupLimits();
    }

    @Test
    void a_busy_app_is_held_to_its_own_share_inside_its_host() throws Exception {
        EmulationId id;
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                AppManager apps = new AppManager(net)) {
            id = net.id();
            Host h1 = net.host("h1");
            h1.limit(ResourceLimits.parse(List.of("cpu=1")));
            App capped = apps.deploy("capped", h1, List.of("sh", "-c", BUSY),
                    DeployOptions.NO_TTY.withLimits(ResourceLimits.parse(List.of("cpu=0.3"))));
            App neighbour = apps.deploy("neighbour", h1, List.of("sh", "-c", BUSY), DeployOptions.NO_TTY);
            HostCgroup own = h1.cgroup().orElseThrow().apps().getFirst();
            // With pipes the process moves itself in before it execs the program: await that.
            awaitTrue(() -> cgroupOf(capped.pid()).contains(h1.namespace() + "/" + own.name()), Duration.ofSeconds(5));
            awaitTrue(() -> cgroupOf(neighbour.pid()).contains(h1.namespace()), Duration.ofSeconds(5));
            assertThat(cgroupOf(neighbour.pid())).doesNotContain("/app.");
            assertThat(own.kernelLimits().cpu()).isEqualTo(0.3);

            double[] shares = shares(Duration.ofSeconds(5), () -> capped.cgroupUsage().orElseThrow().cpuNanos(),
                    () -> neighbour.usage().orElseThrow().cpuNanos(), () -> h1.usage().orElseThrow().cpuNanos());
            System.err.printf("busy app under cpu=0.3 in a host of cpu=1: %.3f of a core; its uncapped neighbour:"
                    + " %.3f; the host: %.3f%n", shares[0], shares[1], shares[2]);
            assertThat(shares[0]).isLessThanOrEqualTo(0.35);
            assertThat(shares[2]).isLessThanOrEqualTo(1.05);
            // The lower bound needs a machine with the time to spare: its control is the neighbour, the same loop
            // beside it without a cap of its own, which the scheduler gives the same weight.
            assumeMachineFree(shares[0] >= 0.25 || shares[1] >= 0.35, "the capped app got " + shares[0]
                    + " and its uncapped neighbour " + shares[1]);
            assertThat(shares[0]).isGreaterThanOrEqualTo(0.25);
            assertThat(capped.isRunning()).isTrue();
        }
        assertThat(ImageHostTest.cgroupsOf(id)).isEmpty();
    }

    @Test
    void an_app_over_its_memory_limit_is_killed_and_only_it() throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                AppManager apps = new AppManager(net)) {
            Host h1 = net.host("h1");
            h1.limit(ResourceLimits.parse(List.of("memory=512m")));
            App quiet = apps.deploy("quiet", h1, List.of("sleep", "60"), DeployOptions.NO_TTY);
            App sibling = apps.deploy("sibling", h1, List.of("sleep", "60"),
                    DeployOptions.NO_TTY.withLimits(ResourceLimits.parse(List.of("memory=64m"))));
            App hog = apps.deploy("hog", h1, List.of("python3", "-c",
                    "import time\nb = b'x' * (200 << 20)\ntime.sleep(30)"),
                    DeployOptions.NO_TTY.withLimits(ResourceLimits.parse(List.of("memory=64m"))));
            Path hogCgroup = h1.cgroup().orElseThrow().apps().stream().filter(c -> c.name().equals("app.hog"))
                    .findFirst().orElseThrow().directory("memory").orElseThrow();

            assertThat(hog.awaitExit(Duration.ofSeconds(20))).as("the hog ends").isTrue();
            assertThat(hog.exitStatus().getAsInt()).isEqualTo(137);
            assertThat(hog.oomKilled()).isTrue();
            assertThat(quiet.isRunning()).isTrue();
            assertThat(sibling.isRunning()).isTrue();
            assertThat(h1.usage().orElseThrow().oomKills()).as("the host counts its apps' kills").isPositive();
            // Its cgroup goes with it.
            awaitTrue(() -> !Files.exists(hogCgroup), Duration.ofSeconds(5));
            assertThat(quiet.stop(Duration.ZERO)).isNotZero();
            assertThat(quiet.oomKilled()).isFalse();
            assertThat(sibling.stop(Duration.ZERO)).isNotZero();
            assertThat(sibling.oomKilled()).isFalse();
        }
    }

    @Test
    void limits_above_the_hosts_are_refused_and_a_lowered_host_holds_its_apps() throws Exception {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                AppManager apps = new AppManager(net)) {
            Host h1 = net.host("h1");
            h1.limit(ResourceLimits.parse(List.of("cpu=0.5", "memory=256m", "pids=100")));
            assertThatThrownBy(() -> apps.deploy("greedy", h1, List.of("sleep", "60"),
                    DeployOptions.DEFAULT.withLimits(ResourceLimits.parse(List.of("cpu=1", "memory=128m")))))
                    .hasMessageContaining("app greedy may not have more than its host h1")
                    .hasMessageContaining("cpu=1 (above cpu=0.5)").hasMessageContaining("limit h1 cpu=1");
            assertThat(h1.cgroup().orElseThrow().apps()).isEmpty();

            App web = apps.deploy("web", h1, List.of("sleep", "60"),
                    DeployOptions.DEFAULT.withLimits(ResourceLimits.parse(List.of("cpu=0.4", "memory=128m"))));
            assertThatThrownBy(() -> web.limit(ResourceLimits.parse(List.of("pids=200"))))
                    .hasMessageContaining("pids=200 (above pids=100)");
            assertThat(web.limit(ResourceLimits.parse(List.of("pids=20")))).hasToString("cpu=0.4 memory=128m pids=20");
            HostCgroup own = h1.cgroup().orElseThrow().apps().getFirst();
            assertThat(own.kernelLimits()).hasToString("cpu=0.4 memory=128m pids=20");

            // The host goes below its app: the app is held within it (v1 would refuse the host's quota otherwise).
            h1.limit(ResourceLimits.parse(List.of("cpu=0.2", "memory=64m")));
            assertThat(web.limits()).hasToString("cpu=0.4 memory=128m pids=20");
            assertThat(web.limitsInForce()).hasToString("cpu=0.2 memory=64m pids=20");
            assertThat(own.kernelLimits()).hasToString("cpu=0.2 memory=64m pids=20");
            assertThat(h1.cgroup().orElseThrow().kernelLimits()).hasToString("cpu=0.2 memory=64m pids=100");
            // Raised again, the app's own come back.
            h1.limit(ResourceLimits.parse(List.of("cpu=1", "memory=1g")));
            assertThat(own.kernelLimits()).hasToString("cpu=0.4 memory=128m pids=20");

            // One in a pid namespace of its own: its init and program are in its cgroup.
            App pidNs = apps.deploy("pidns", h1, List.of("sleep", "60"), new DeployOptions(true, true)
                    .withLimits(ResourceLimits.parse(List.of("pids=10"))));
            long program = PidNamespaceInit.programOf(pidNs.pid()).orElseThrow();
            assertThat(cgroupOf(pidNs.pid())).contains("/app.pidns");
            assertThat(cgroupOf(program)).contains("/app.pidns");
            assertThat(pidNs.deployOptions().limits()).as("a successor gets them too").hasToString("pids=10");

            // An app without limits of its own gets its cgroup at run time, with its processes.
            App late = apps.deploy("late", h1, List.of("sh", "-c", "sleep 60 & wait"));
            ResourceLimits given = late.limit(ResourceLimits.parse(List.of("memory=32m")));
            assertThat(given.memory()).isEqualTo(32L << 20);
            assertThat(cgroupOf(late.pid())).contains("/app.late");
            assertThat(late.stop(Duration.ofSeconds(2))).isNotZero();
        }
    }

    @Test
    void an_app_gets_its_own_cgroup_on_a_host_without_limits_and_it_goes_when_the_app_ends() throws Exception {
        EmulationId id;
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                AppManager apps = new AppManager(net)) {
            id = net.id();
            Host h2 = net.host("h2");
            assertThat(h2.cgroup()).isEmpty();
            // Forks 8 children that sleep; pids=4 lets it have 3 (the kernel refuses the rest: EAGAIN).
            App forks = apps.deploy("forks", h2, List.of(realPython(), "-c", """
                    import os, sys, time
                    born = 0
                    for i in range(8):
                        try:
                            if os.fork() == 0:
                                time.sleep(30)
                                os._exit(0)
                            born += 1
                        except OSError:
                            pass
                    print(born, flush=True)
                    time.sleep(30)
                    """), DeployOptions.NO_TTY.withLimits(ResourceLimits.parse(List.of("pids=4"))));
            assertThat(h2.limits()).isEqualTo(ResourceLimits.NONE);
            awaitTrue(() -> !forks.log().lines().isEmpty(), Duration.ofSeconds(10));
            assertThat(forks.log().lines().getFirst().text()).as("children born").isEqualTo("3");
            HostCgroup own = h2.cgroup().orElseThrow().apps().getFirst();
            assertThat(own.members()).hasSize(4);
            Path dir = own.directory("pids").orElseThrow();
            assertThat(forks.stop(Duration.ofSeconds(2))).isNotZero();
            // Its children end with it (stop ends the app's session), and its cgroup goes.
            awaitTrue(() -> !Files.exists(dir), Duration.ofSeconds(5));
            assertThat(h2.cgroup().orElseThrow().members()).isEmpty();
        }
        assertThat(ImageHostTest.cgroupsOf(id)).isEmpty();
    }

    /** The interpreter itself, not a wrapper script (pyenv's shims fork, which a pids limit counts). */
    private static String realPython() throws Exception {
        Process p = new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)").start();
        String path = new String(p.getInputStream().readAllBytes()).strip();
        assertThat(p.waitFor()).isZero();
        return path;
    }

    @Test
    void an_app_container_on_an_image_host_is_killed_by_its_own_memory_limit_and_only_it() throws Exception {
        net.mignet.testing.TestImages.assumeDebian13();
        HostContainer debian = HostContainer.of(net.mignet.testing.TestImages.DEBIAN_13)
                .withLimits(ResourceLimits.parse(List.of("memory=512m")));
        Topology t = Topology.builder("appimg").addHost("h1", Ipv4Prefix.parse("10.0.0.1/24"), debian)
                .addHost("h2", Ipv4Prefix.parse("10.0.0.2/24")).addSwitch("s1").addLink("h1", "s1")
                .addLink("h2", "s1").build();
        try (Emulation net = Emulation.start(t); AppManager apps = new AppManager(net)) {
            Host h1 = net.host("h1");
            App quiet = apps.deploy("quiet", h1, List.of("sleep", "60"));
            // The image has no python: tail keeps the last "line" of /dev/zero, which never ends, in memory.
            App hog = apps.deploy("hog", h1, List.of("tail", "-n", "1", "/dev/zero"),
                    DeployOptions.DEFAULT.withImage("debian:13")
                    .withLimits(ResourceLimits.parse(List.of("memory=64m"))));
            assertThat(hog.awaitExit(Duration.ofSeconds(20))).as("the hog ends").isTrue();
            assertThat(hog.exitStatus().getAsInt()).isEqualTo(137);
            assertThat(hog.oomKilled()).isTrue();
            assertThat(quiet.isRunning()).isTrue();
            assertThat(h1.initPid().map(pid -> ProcessHandle.of(pid).isPresent())).contains(true);
        }
    }

    private static void assumeMachineFree(boolean enough, String what) throws Exception {
        if (!enough) {
            String reason = what + ": the machine is too busy to check the lower bound (load "
                    + Files.readString(Path.of("/proc/loadavg")).strip() + ")";
            System.err.println("SKIPPED: " + reason);
            Assumptions.assumeTrue(false, reason);
        }
    }

    private static String cgroupOf(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cgroup"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The CPU use of each counter over {@code period}, as fractions of one core. */
    @SafeVarargs
    private static double[] shares(Duration period, Supplier<Long>... cpuNanos) throws InterruptedException {
        Thread.sleep(300); // let the quota take hold
        long[] before = new long[cpuNanos.length];
        for (int i = 0; i < before.length; i++) {
            before[i] = cpuNanos[i].get();
        }
        long t0 = System.nanoTime();
        Thread.sleep(period.toMillis());
        long elapsed = System.nanoTime() - t0;
        double[] shares = new double[cpuNanos.length];
        for (int i = 0; i < shares.length; i++) {
            shares[i] = (cpuNanos[i].get() - before[i]) / (double) elapsed;
        }
        return shares;
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout);
            }
            Thread.sleep(20);
        }
    }
}
