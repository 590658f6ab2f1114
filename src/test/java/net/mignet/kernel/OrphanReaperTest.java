package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** mignet as the subreaper of what its processes leave behind: no namespace needed. */
class OrphanReaperTest {
    private static final long SELF = ProcessHandle.current().pid();

    @BeforeAll
    static void becomeSubreaper() {
        OrphanReaper.start();
    }

    @Test
    void an_orphan_of_another_session_comes_to_mignet_and_is_reaped() throws Exception {
        // A shell leading its own session, as an app does, leaves a child behind and ends.
        Process shell = new ProcessBuilder("setsid", "sh", "-c", "sleep 0.3 & echo $!").start();
        long orphan;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(shell.getInputStream()))) {
            orphan = Long.parseLong(out.readLine().trim());
        }
        assertThat(shell.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(field(orphan, 1)).as("the orphan's parent (not the machine's init)").isEqualTo(SELF);

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Files.exists(Path.of("/proc", Long.toString(orphan))) && System.nanoTime() < deadline) {
            OrphanReaper.reapOrphans();
            Thread.sleep(5);
        }
        assertThat(Files.exists(Path.of("/proc", Long.toString(orphan)))).as("reaped, its pid free").isFalse();
    }

    @Test
    void the_sweep_reaps_orphans_by_itself() throws Exception {
        Process shell = new ProcessBuilder("setsid", "sh", "-c", "sleep 0.1 & echo $!").start();
        long orphan;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(shell.getInputStream()))) {
            orphan = Long.parseLong(out.readLine().trim());
        }
        shell.waitFor(10, TimeUnit.SECONDS);
        awaitGone(orphan);
    }

    private static void awaitGone(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Files.exists(Path.of("/proc", Long.toString(pid))) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(Files.exists(Path.of("/proc", Long.toString(pid))))
                .as("gone within 10 s (sweeps once a second); left a zombie of ours otherwise").isFalse();
    }

    @Test
    void an_orphan_leading_a_session_of_its_own_is_reaped_once_it_lingers_a_whole_sweep() throws Exception {
        // Not a group leader in the background of a shell, setsid(1) makes the sleep lead a session of its own.
        Process shell = new ProcessBuilder("setsid", "sh", "-c", "setsid sleep 0.1 & echo $!").start();
        long orphan;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(shell.getInputStream()))) {
            orphan = Long.parseLong(out.readLine().trim());
        }
        shell.waitFor(10, TimeUnit.SECONDS);
        awaitGone(orphan);
    }

    @Test
    void exit_statuses_of_processes_mignet_started_are_never_taken() throws Exception {
        AtomicBoolean sweeping = new AtomicBoolean(true);
        AtomicInteger sweeps = new AtomicInteger();
        Thread sweeper = Thread.ofPlatform().start(() -> {
            while (sweeping.get()) {
                OrphanReaper.reapOrphans();
                sweeps.incrementAndGet();
            }
        });
        try {
            List<Process> started = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                // In mignet's session, and leading a session of their own (as apps and host commands do).
                started.add(new ProcessBuilder("sh", "-c", "exit " + (i + 1)).start());
                started.add(new ProcessBuilder("setsid", "sh", "-c", "exit " + (i + 101)).start());
            }
            for (int i = 0; i < 60; i++) {
                assertThat(started.get(2 * i).waitFor()).isEqualTo(i + 1);
                assertThat(started.get(2 * i + 1).waitFor()).isEqualTo(i + 101);
            }
            long spawned = ChildSpawn.spawn(List.of("sh", "-c", "exit 7"), Map.of("PATH", System.getenv("PATH")));
            assertThat(ProcessExit.await(spawned)).hasValue(7);
        } finally {
            sweeping.set(false);
            sweeper.join();
        }
        assertThat(sweeps.get()).as("sweeps ran meanwhile").isGreaterThan(10);
    }

    @Test
    void killed_children_are_reaped_so_their_pids_are_free() throws Exception {
        Process app = new ProcessBuilder("setsid", "sh", "-c", "sleep 100 & sleep 100 & wait").start();
        Set<Long> tree = awaitTree(app.pid(), 3);
        for (long pid : tree) {
            Signals.send(pid, 9);
        }
        assertThat(app.waitFor(10, TimeUnit.SECONDS)).isTrue();

        assertThat(OrphanReaper.reapKilled(tree, app.pid(), Duration.ofSeconds(5))).isTrue();
        for (long pid : tree) {
            assertThat(Files.exists(Path.of("/proc", Long.toString(pid)))).as("pid %d free", pid).isFalse();
        }
    }

    private static Set<Long> awaitTree(long root, int size) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Set<Long> tree = ProcessTree.of(root);
        while (tree.size() < size && System.nanoTime() < deadline) {
            Thread.sleep(5);
            tree = ProcessTree.of(root);
        }
        assertThat(tree).hasSize(size);
        return tree;
    }

    private static long field(long pid, int index) {
        return Long.parseLong(ProcessTree.statFields(pid)[index]);
    }
}
