package net.mignet.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import net.mignet.kernel.Command;
import net.mignet.kernel.FileTrees;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a build mounts inside its root never reaches the machine's mount table, however the build is killed
 * (mmdebstrap mounts /proc, /sys, /dev/pts and /dev/shm there), and what an older, unisolated build left mounted
 * in its scratch directory is unmounted and removed by the next build.
 */
class BuildMountsTest {
    private Path work;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void setUp() throws IOException {
        work = Files.createTempDirectory("mignet-build-mounts");
    }

    @AfterEach
    void tearDown() {
        // A failed test may leave its tmpfs mounts: detach them so the removal stays inside the directory.
        for (Path point : MountsUnder.of(work).points()) {
            Command.run(List.of("umount", "-l", point.toString()), null, Command.DEFAULT_TIMEOUT);
        }
        FileTrees.delete(work);
    }

    @Test
    void mountsOfAKilledBuildAndItsChildrenNeverReachTheMachine() throws Exception {
        assumeIsolation();
        Path root = Files.createDirectories(work.resolve("scratch/proc"));
        // As mmdebstrap does: mount inside the root, and leave a child running that uses it.
        IsolatedProcess build = IsolatedProcess.start(List.of("sh", "-c", "mount -t tmpfs build " + root
                + " && echo mounted && sleep 60 & wait"), lines());
        try (build) {
            awaitLine("mounted");
            assertThat(MountsUnder.of(work).points()).isEmpty();
        }
        // close() returns once the output has ended: no process of the build, the child sleep included, is left.
        assertThat(build.awaitExit(Duration.ZERO)).isTrue();
        assertThat(build.exitValue()).isEqualTo(128 + 9);
        assertThat(MountsUnder.of(work).points()).isEmpty();
    }

    @Test
    void killingTheBuildCommandItselfEndsEverythingItStarted() throws Exception {
        assumeIsolation();
        Path root = Files.createDirectories(work.resolve("scratch/proc"));
        // The shell's pid as the machine sees it: /proc here is still the machine's.
        try (IsolatedProcess build = IsolatedProcess.start(List.of("sh", "-c", "mount -t tmpfs build " + root
                + " && read -r pid rest < /proc/self/stat && echo \"pid $pid\" && sleep 60"), lines())) {
            long pid = Long.parseLong(awaitLine("pid ").substring(4).trim());
            assertThat(MountsUnder.of(work).points()).isEmpty();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            // Its child sleep dies with it, or the output would not end and this would time out.
            assertThat(build.awaitExit(Duration.ofSeconds(20))).isTrue();
            assertThat(MountsUnder.of(work).points()).isEmpty();
        }
    }

    @Test
    void aDeadBuildsMountsAreUnmountedDeepestFirstAndItsDirectoryRemoved() throws Exception {
        KernelAssumptions.assumeRoot();
        Path cache = Files.createDirectories(work.resolve("cache"));
        Path dir = cache.resolve("debian-test");
        // What an unisolated mmdebstrap killed mid-build left: nested mounts in the scratch directory of a dead pid.
        Path stale = Files.createDirectories(cache.resolve("debian-test.build-999999999"));
        Path dev = Files.createDirectories(stale.resolve("dev"));
        mountTmpfs(dev);
        mountTmpfs(Files.createDirectories(dev.resolve("shm")));
        Files.writeString(dev.resolve("shm/keep"), "x");
        mountTmpfs(Files.createDirectories(stale.resolve("proc")));
        assertThat(MountsUnder.of(stale).points()).hasSize(3);

        Path built = OnceBuiltDirectory.ensure(dir, "image test", log::add,
                scratch -> write(scratch.resolve("etc-os-release")));

        assertThat(built.resolve("etc-os-release")).exists();
        assertThat(stale).doesNotExist();
        assertThat(MountsUnder.of(work).points()).isEmpty();
        assertThat(log).anyMatch(l -> l.contains("unmounting") && l.contains(dev.resolve("shm").toString()));
    }

    @Test
    void mountPointsAreListedDeepestFirstWithEscapesDecoded() {
        Path dir = Path.of("/var/cache/x.build-1");
        List<String> mountinfo = List.of(
                "20 1 0:5 / / rw - ext4 /dev/vda rw",
                "51 20 0:40 / /var/cache/x.build-1/dev rw - tmpfs none rw",
                "52 51 0:41 / /var/cache/x.build-1/dev/shm rw - tmpfs tmpfs rw",
                "53 20 0:22 / /var/cache/x.build-1/my\\040proc rw - proc proc rw",
                "54 20 0:23 / /var/cache/x.build-10/proc rw - proc proc rw");
        MountsUnder mounts = MountsUnder.of(dir, mountinfo);
        assertThat(mounts.points()).containsExactly(Path.of("/var/cache/x.build-1/dev/shm"),
                Path.of("/var/cache/x.build-1/my proc"), Path.of("/var/cache/x.build-1/dev"));
        assertThat(mounts.removalCommand()).isEqualTo("umount -l /var/cache/x.build-1/dev/shm"
                + " && umount -l '/var/cache/x.build-1/my proc' && umount -l /var/cache/x.build-1/dev"
                + " && rm -rf /var/cache/x.build-1");
    }

    private static void assumeIsolation() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("unshare");
        KernelAssumptions.assumeTool("setpriv");
    }

    private final CompletableFuture<String> awaited = new CompletableFuture<>();
    private volatile String awaitedPrefix = "";

    private Consumer<String> lines() {
        return line -> {
            log.add(line);
            if (!awaitedPrefix.isEmpty() && line.startsWith(awaitedPrefix)) {
                awaited.complete(line);
            }
        };
    }

    /** The first line starting with {@code prefix} (one test awaits one line). */
    private String awaitLine(String prefix) throws Exception {
        awaitedPrefix = prefix;
        synchronized (log) {
            log.stream().filter(l -> l.startsWith(prefix)).findFirst().ifPresent(awaited::complete);
        }
        return awaited.get(20, TimeUnit.SECONDS);
    }

    private static void mountTmpfs(Path point) {
        Command.check(List.of("mount", "-t", "tmpfs", "stale", point.toString()));
    }

    private static void write(Path file) throws BuildFailure {
        try {
            Files.writeString(file, "ID=test\n");
        } catch (IOException e) {
            throw new BuildFailure(e.getMessage());
        }
    }
}
