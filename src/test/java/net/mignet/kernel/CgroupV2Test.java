package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.ResourceLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cgroup v2 path, for real, in this machine's v2 hierarchy as a machine without v1 hierarchies would use it
 * ({@link CgroupMounts#unifiedOnly()}): a host's cgroup with its processes in a leaf and its apps beside it, CPU
 * accounting from {@code cpu.stat}, {@code cgroup.kill}, {@code cgroup.freeze}, clean-up of what was left. Limits
 * need the v2 hierarchy to offer their controller; where it offers none (hybrid machines like these) those tests
 * are skipped, saying so.
 */
class CgroupV2Test {
    private static final String BUSY = "while :; do :; done";
    private final String prefix = "mignet.v2test-" + ProcessHandle.current().pid() + ".";
    private final List<Process> started = new ArrayList<>();
    private CgroupMounts v2;

    @BeforeEach
    void needsV2() {
        KernelAssumptions.assumeRoot();
        v2 = CgroupMounts.system().unifiedOnly();
        assume(v2.unified().isPresent(), "no cgroup2 hierarchy in /proc/self/mountinfo");
        assume(Files.isWritable(v2.unified().get().mount()), "the v2 hierarchy at " + v2.unified().get().mount()
                + " is not writable");
        System.err.println("v2 hierarchy " + v2.unified().get().mount() + ": " + v2.describe());
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : started) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        FreezerCgroup.removeAll(prefix, v2);
        HostCgroup.removeAll(prefix, v2);
    }

    @Test
    void a_host_keeps_its_processes_in_a_leaf_its_apps_beside_it_and_counts_their_cpu() throws Exception {
        HostCgroup host = HostCgroup.create(prefix + "h1", v2);
        Path dir = host.directory("cpuacct").orElseThrow();
        assertThat(dir).isEqualTo(v2.unified().get().mount().resolve(prefix + "h1"));
        assertThat(host.toString()).contains("cpuacct(v2)");
        Process own = start(host.joinArgv(List.of("sh", "-c", BUSY)));
        HostCgroup app = host.createApp("web", ResourceLimits.NONE);
        Process inApp = start(List.of("sh", "-c", BUSY));
        app.add(inApp.pid());

        String root = "0::/" + v2.unified().get().mount().relativize(dir);
        await(() -> cgroupOf(own.pid()).contains(root + "/host\n"));
        assertThat(cgroupOf(inApp.pid())).contains(root + "/app.web\n");
        assertThat(host.members()).containsExactly(own.pid());
        assertThat(app.members()).containsExactly(inApp.pid());
        assertThat(host.apps()).containsExactly(app);

        long host0 = host.usage().cpuNanos();
        long app0 = app.usage().cpuNanos();
        long t0 = System.nanoTime();
        await(() -> app.usage().cpuNanos() - app0 > 50_000_000L); // 50 ms of CPU, however busy the machine
        long hostDelta = host.usage().cpuNanos() - host0;
        long appDelta = app.usage().cpuNanos() - app0;
        System.err.printf("v2 cpu.stat over %.2f s: app %.3f s, host (leaf and app) %.3f s%n",
                (System.nanoTime() - t0) / 1e9, appDelta / 1e9, hostDelta / 1e9);
        assertThat(hostDelta).as("the host's count holds its app's").isGreaterThanOrEqualTo(appDelta);

        // cgroup.kill ends every process of the app's cgroup, and only those.
        assertThat(app.killAll()).isEqualTo(1);
        assertThat(inApp.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(own.isAlive()).isTrue();
        app.close();
        assertThat(dir.resolve("app.web")).doesNotExist();
        assertThat(host.apps()).isEmpty();

        assertThat(host.killAll()).isEqualTo(1);
        assertThat(own.waitFor(5, TimeUnit.SECONDS)).isTrue();
        host.close();
        assertThat(dir).doesNotExist();
    }

    @Test
    void v2_freezes_with_cgroup_freeze_and_lets_a_frozen_process_die() throws Exception {
        FreezerCgroup freezer = FreezerCgroup.create(prefix + "h2", v2);
        assertThat(freezer.path()).isEqualTo(v2.unified().get().mount().resolve("mignet").resolve(prefix + "h2"));
        Process busy = start(List.of("sh", "-c", BUSY));
        freezer.add(List.of(busy.pid()));
        freezer.freeze();
        assertThat(freezer.isFrozen()).isTrue();
        assertThat(Files.readString(freezer.path().resolve("cgroup.events"))).contains("frozen 1");
        long frozenAt = cpuTicks(busy.pid());
        Thread.sleep(300); // a frozen busy loop gets no CPU: none of its ticks may pass meanwhile
        assertThat(cpuTicks(busy.pid())).isEqualTo(frozenAt);
        freezer.thaw();
        await(() -> cpuTicks(busy.pid()) > frozenAt);

        freezer.freeze();
        busy.destroyForcibly();
        assertThat(busy.waitFor(5, TimeUnit.SECONDS)).as("v2 lets a frozen process die of SIGKILL").isTrue();
        freezer.close();
        assertThat(freezer.path()).doesNotExist();
    }

    @Test
    void a_host_with_a_v2_cgroup_is_frozen_in_place_with_its_apps() throws Exception {
        HostCgroup host = HostCgroup.create(prefix + "h3", v2);
        HostCgroup app = host.createApp("web", ResourceLimits.NONE);
        Process inApp = start(List.of("sh", "-c", BUSY));
        app.add(inApp.pid());
        Process late = start(List.of("sh", "-c", BUSY));

        FreezerCgroup freezer = FreezerCgroup.create(prefix + "h3", v2);
        assertThat(freezer.path()).isEqualTo(host.directory("cpuacct").orElseThrow());
        freezer.add(List.of(inApp.pid(), late.pid()));
        assertThat(app.members()).as("an app's process stays in its app's cgroup").containsExactly(inApp.pid());
        assertThat(host.members()).as("one from outside goes into the host's leaf").containsExactly(late.pid());
        freezer.freeze();
        long a = cpuTicks(inApp.pid());
        long b = cpuTicks(late.pid());
        Thread.sleep(300);
        assertThat(cpuTicks(inApp.pid())).isEqualTo(a);
        assertThat(cpuTicks(late.pid())).isEqualTo(b);
        freezer.close();
        assertThat(freezer.isFrozen()).isFalse();
        assertThat(host.directory("cpuacct").orElseThrow()).as("the host's cgroup stays").isDirectory();
        await(() -> cpuTicks(inApp.pid()) > a);
    }

    @Test
    void clean_up_kills_what_is_left_in_an_emulations_v2_cgroups_and_removes_them() throws Exception {
        HostCgroup host = HostCgroup.create(prefix + "h4", v2);
        HostCgroup app = host.createApp("web", ResourceLimits.NONE);
        Process a = start(List.of("sleep", "600"));
        Process b = start(List.of("sleep", "600"));
        host.add(a.pid());
        app.add(b.pid());
        List<Path> removed = HostCgroup.removeAll(prefix, v2);
        assertThat(removed).containsExactly(host.directory("cpuacct").orElseThrow());
        assertThat(a.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(b.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(removed.getFirst()).doesNotExist();
    }

    @Test
    void v2_cpu_max_holds_where_the_v2_hierarchy_offers_cpu() throws Exception {
        assumeController("cpu");
        HostCgroup host = HostCgroup.create(prefix + "h5", v2);
        host.apply(ResourceLimits.parse(List.of("cpu=0.5")));
        HostCgroup app = host.createApp("web", ResourceLimits.parse(List.of("cpu=0.2")));
        assertThat(Files.readString(app.directory("cpu").orElseThrow().resolve("cpu.max")).strip())
                .isEqualTo("20000 100000");
        assertThat(host.kernelLimits().cpu()).isEqualTo(0.5);
        host.apply(ResourceLimits.parse(List.of("cpu=0.1")));
        assertThat(app.kernelLimits().cpu()).isEqualTo(0.1);
    }

    @Test
    void v2_memory_max_kills_an_apps_hog_where_the_v2_hierarchy_offers_memory() throws Exception {
        assumeController("memory");
        KernelAssumptions.assumeTool("python3");
        HostCgroup host = HostCgroup.create(prefix + "h6", v2);
        HostCgroup app = host.createApp("hog", ResourceLimits.parse(List.of("memory=64m")));
        assertThat(app.kernelLimits().memory()).isEqualTo(64L << 20);
        Process quiet = start(host.joinArgv(List.of("sleep", "60")));
        Process hog = start(app.joinArgv(List.of("python3", "-c", "b = b'x' * (200 << 20)")));
        assertThat(hog.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(hog.exitValue()).isNotZero();
        assertThat(app.usage().oomKills()).isPositive();
        assertThat(host.usage().oomKills()).isPositive();
        assertThat(quiet.isAlive()).isTrue();
    }

    @Test
    void v2_pids_max_holds_where_the_v2_hierarchy_offers_pids() throws Exception {
        assumeController("pids");
        HostCgroup host = HostCgroup.create(prefix + "h7", v2);
        HostCgroup app = host.createApp("forks", ResourceLimits.parse(List.of("pids=3")));
        assertThat(Files.readString(app.directory("pids").orElseThrow().resolve("pids.max")).strip()).isEqualTo("3");
        Process p = start(app.joinArgv(List.of("sh", "-c", "sleep 30 & sleep 30 & sleep 30 & sleep 30 & wait")));
        await(() -> !p.isAlive() || app.members().size() >= 3);
        assertThat(app.members().size()).isLessThanOrEqualTo(3);
    }

    private void assumeController(String controller) {
        assume(v2.missing(controller).isEmpty(), "cgroup v2 " + controller + " limits (v1 hierarchies left out for"
                + " this test): " + v2.missing(controller).orElse(""));
    }

    private static void assume(boolean condition, String reason) {
        if (!condition) {
            System.err.println("SKIPPED: " + reason);
        }
        Assumptions.assumeTrue(condition, reason);
    }

    private Process start(List<String> argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        started.add(p);
        return p;
    }

    /** User plus system time of a process in clock ticks, from /proc/PID/stat. */
    private static long cpuTicks(long pid) {
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static String cgroupOf(long pid) {
        return read(Path.of("/proc", Long.toString(pid), "cgroup"));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s");
            }
            Thread.sleep(10);
        }
    }
}
