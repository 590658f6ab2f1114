package net.mignet.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.mignet.kernel.NamespaceProcesses;
import net.mignet.kernel.PidNamespaceInit;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Apps in a pid namespace of their own ({@code deploy --pid-ns}): they behave like any app. */
class PidNamespaceAppTest {
    private static final DeployOptions PID_NS = DeployOptions.DEFAULT.withPidNamespace(true);
    private static Emulation net;

    @BeforeAll
    static void network() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("python3");
        if (PidNamespaceInit.installed().isEmpty()) {
            System.err.println("SKIPPED: tini is not installed (scripts/lib.sh installs it)");
        }
        Assumptions.assumeTrue(PidNamespaceInit.installed().isPresent(), "tini is not installed");
        net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
    }

    @AfterAll
    static void teardown() {
        if (net != null) {
            net.close();
        }
    }

    @Test
    void it_prints_runs_as_pid_2_of_its_namespace_and_keeps_the_host_network_and_file_system() throws Exception {
        try (AppManager apps = new AppManager(net)) {
            App app = apps.deploy("inside", net.host("h1"), List.of("python3", "-c", """
                    import os, socket, time
                    print("pid", os.getpid(), "ppid", os.getppid())
                    print("mounts", os.readlink("/proc/self/ns/mnt"))
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    s.bind(("10.0.0.1", 0))
                    print("bound")
                    time.sleep(60)
                    """), PID_NS);
            assertThat(app.log().await(l -> l.text().equals("bound"), Duration.ofSeconds(10))).isPresent();
            assertThat(app.hasOwnPidNamespace()).isTrue();
            assertThat(app.log().lines()).extracting(LogLine::text).contains("pid 2 ppid 1")
                    .contains("mounts " + Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")));
            long program = app.programPid().orElseThrow();
            assertThat(program).isNotEqualTo(app.pid());
            assertThat(Files.readSymbolicLink(Path.of("/proc/" + program + "/ns/pid")))
                    .isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")));
            assertThat(ProcessHandle.of(app.pid()).flatMap(h -> h.info().command()).orElse(""))
                    .endsWith(PidNamespaceInit.INIT);
            assertThat(app.deployOptions()).isEqualTo(PID_NS);
            assertThat(apps.remove("inside")).isEqualTo(128 + 15);
        }
    }

    @Test
    void stop_ends_programs_without_a_handler_promptly_with_their_status() throws Exception {
        try (AppManager apps = new AppManager(net)) {
            for (List<String> argv : List.of(List.of("sleep", "600"),
                    List.of("python3", "-c", "print('up', flush=True); import time; time.sleep(600)"))) {
                App app = apps.deploy("sleeper", net.host("h2"), argv, PID_NS);
                awaitProgram(app);
                long t0 = System.nanoTime();
                int status = app.stop(Duration.ofSeconds(5));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                System.out.println(argv.getFirst() + " under its init: stop took " + ms + " ms, status " + status);
                assertThat(status).as("%s", argv).isEqualTo(128 + 15);
                assertThat(ms).as("SIGTERM, not the SIGKILL after the grace").isLessThan(2000);
                apps.remove("sleeper");
            }
            App exits = apps.deploy("exits", net.host("h2"), List.of("python3", "-c", "print('bye'); exit(7)"), PID_NS);
            assertThat(exits.awaitExit()).isEqualTo(7);
            assertThat(exits.log().lines()).extracting(LogLine::text).contains("bye");
        }
    }

    @Test
    void signals_reach_the_program_through_its_init() throws Exception {
        try (AppManager apps = new AppManager(net)) {
            App app = apps.deploy("usr1", net.host("h1"), List.of("python3", "-c", """
                    import signal, time
                    signal.signal(signal.SIGUSR1, lambda *a: print("got USR1", flush=True))
                    print("ready", flush=True)
                    time.sleep(60)
                    """), PID_NS);
            assertThat(app.log().await(l -> l.text().equals("ready"), Duration.ofSeconds(10))).isPresent();
            assertThat(app.signal(10)).isTrue();
            assertThat(app.log().await(l -> l.text().equals("got USR1"), Duration.ofSeconds(5))).isPresent();
            assertThat(app.isRunning()).isTrue();
        }
    }

    @Test
    void clean_up_finds_init_and_program_in_the_host_and_killing_them_leaves_nothing() throws Exception {
        try (AppManager apps = new AppManager(net)) {
            App app = apps.deploy("orphaned", net.host("h1"), List.of("bash", "-c", "sleep 600 & sleep 600"), PID_NS);
            awaitProgram(app);
            List<NamespaceProcesses.Member> members = NamespaceProcesses.in(List.of(net.host("h1").namespace()));
            assertThat(members).extracting(NamespaceProcesses.Member::pid).contains(app.pid(),
                    app.programPid().orElseThrow());
            // What `mignet clean` does after the JVM was killed: SIGKILL to every process found in the host.
            for (NamespaceProcesses.Member m : members) {
                ProcessHandle.of(m.pid()).ifPresent(ProcessHandle::destroyForcibly);
            }
            assertThat(app.awaitExit(Duration.ofSeconds(5))).isTrue();
            assertThat(app.exitStatus()).hasValue(128 + 9);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!NamespaceProcesses.in(List.of(net.host("h1").namespace())).isEmpty()
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(NamespaceProcesses.in(List.of(net.host("h1").namespace()))).isEmpty();
        }
    }

    @Test
    void pipes_and_a_pid_namespace_do_not_go_together() {
        assertThatThrownBy(() -> DeployOptions.NO_TTY.withPidNamespace(true)).hasMessageContaining("--no-tty");
    }

    /** Waits until the init has started the program (its child). */
    /**
     * Waits until the init's child runs the program: before its exec it has not yet made its own process group,
     * and tini forwards a signal to that group, so a SIGTERM sent earlier would be lost.
     */
    private static void awaitProgram(App app) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!runsProgram(app) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(runsProgram(app)).as("the init's program runs").isTrue();
    }

    private static boolean runsProgram(App app) {
        return app.programPid().flatMap(ProcessHandle::of).flatMap(h -> h.info().command())
                .filter(c -> !c.endsWith("/" + PidNamespaceInit.INIT)).isPresent();
    }
}
