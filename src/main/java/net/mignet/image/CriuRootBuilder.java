package net.mignet.image;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import net.mignet.kernel.FileTrees;
import java.util.stream.Stream;

/**
 * Builds a small Debian unstable root file system holding criu, once, with {@code mmdebstrap}: the Debian
 * release this machine runs may ship a criu too old for its kernel, and installing another release's packages
 * would replace the machine's libc. The root is built in a scratch directory beside its final place and renamed
 * into place in one step, under a lock file, so two processes asking at once build it once and nobody ever sees
 * half a root.
 */
final class CriuRootBuilder {
    private static final long BUILD_TIMEOUT_MINUTES = 15;
    private static final int KEPT_LINES = 15;
    /** One builder at a time in this JVM too: a file lock is held per process, not per thread. */
    private static final ReentrantLock IN_PROCESS = new ReentrantLock();

    /** Why a build gave no usable root. */
    static final class BuildFailure extends Exception {
        BuildFailure(String message) {
            super(message);
        }
    }

    private final Path root;
    private final Consumer<String> log;
    private final Predicate<Path> usable;

    /**
     * @param root where the finished root lives
     * @param usable whether a finished root (at the given path) is good to keep: its criu runs and is new enough
     */
    CriuRootBuilder(Path root, Consumer<String> log, Predicate<Path> usable) {
        this.root = root;
        this.log = log;
        this.usable = usable;
    }

    /** Builds the root unless it exists (or another process built it while we waited for the lock). */
    Path ensure(String mirror) throws BuildFailure {
        if (Files.isDirectory(root)) {
            return root;
        }
        try {
            Files.createDirectories(root.getParent());
        } catch (IOException e) {
            throw new BuildFailure("cannot create " + root.getParent() + ": " + e.getMessage());
        }
        Path lockFile = root.resolveSibling(root.getFileName() + ".lock");
        IN_PROCESS.lock();
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock held = channel.tryLock();
            if (held == null) {
                log.accept("criu root: waiting for " + lockFile + ": another process is building the root");
                held = channel.lock();
            }
            try {
                if (Files.isDirectory(root)) {
                    return root; // built by another process while we waited
                }
                removeStaleBuilds();
                return build(mirror);
            } finally {
                held.release();
            }
        } catch (IOException e) {
            throw new BuildFailure("cannot lock " + lockFile + ": " + e.getMessage());
        } finally {
            IN_PROCESS.unlock();
        }
    }

    private Path build(String mirror) throws BuildFailure {
        Path scratch = root.resolveSibling(root.getFileName() + ".build-" + ProcessHandle.current().pid());
        log.accept("criu root: building " + root + " with mmdebstrap from " + mirror
                + " (Debian unstable, essential packages and criu; about 10-20 s, once)");
        long t0 = System.nanoTime();
        List<String> lines = mmdebstrap(scratch, mirror, List.of());
        if (lines.stream().anyMatch(l -> l.contains("is expired"))) {
            // The mirror serves an archive snapshot whose Release file is past its validity date (or the clock is
            // off); the signatures are still checked, only the date is not.
            log.accept("criu root: the mirror's Release file has expired; trying again without the date check");
            deleteTree(scratch);
            lines = mmdebstrap(scratch, mirror, List.of("--aptopt=Acquire::Check-Valid-Until \"false\""));
        }
        if (!Files.isRegularFile(scratch.resolve("usr/sbin/criu"))) {
            deleteTree(scratch);
            throw new BuildFailure("mmdebstrap did not build a root with criu; its last lines:\n  "
                    + String.join("\n  ", lines.subList(Math.max(0, lines.size() - KEPT_LINES), lines.size())));
        }
        if (!usable.test(scratch)) {
            deleteTree(scratch);
            throw new BuildFailure("the criu that mmdebstrap installed from " + mirror + " is not usable (see above)");
        }
        try {
            Files.move(scratch, root, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new BuildFailure("cannot rename " + scratch + " to " + root + " in one step: " + e.getMessage());
        } catch (IOException e) {
            throw new BuildFailure("cannot rename " + scratch + " to " + root + ": " + e.getMessage());
        }
        log.accept(String.format("criu root: ready in %.1f s at %s", (System.nanoTime() - t0) / 1e9, root));
        return root;
    }

    /** Runs mmdebstrap, logging its progress lines; returns its output's last lines. */
    private List<String> mmdebstrap(Path target, String mirror, List<String> extra) throws BuildFailure {
        List<String> argv = new ArrayList<>(List.of("mmdebstrap", "--variant=essential", "--include=criu"));
        argv.addAll(extra);
        argv.addAll(List.of("unstable", target.toString(), mirror));
        Deque<String> last = new ArrayDeque<>();
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        } catch (IOException e) {
            throw new BuildFailure("cannot run mmdebstrap: " + e.getMessage());
        }
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("I:") || line.startsWith("E:") || line.startsWith("W:")) {
                    log.accept("criu root: " + line);
                }
                last.addLast(line);
                if (last.size() > KEPT_LINES) {
                    last.removeFirst();
                }
            }
            if (!p.waitFor(BUILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                last.addLast("(killed after " + BUILD_TIMEOUT_MINUTES + " minutes)");
            } else if (p.exitValue() != 0) {
                last.addLast("(mmdebstrap exited with " + p.exitValue() + ")");
            }
        } catch (IOException e) {
            last.addLast("(cannot read mmdebstrap's output: " + e.getMessage() + ")");
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new BuildFailure("interrupted while building the criu root");
        }
        return List.copyOf(last);
    }

    /** Scratch directories of builds that died (we hold the lock, so no build is running). */
    private void removeStaleBuilds() {
        String prefix = root.getFileName() + ".build-";
        try (Stream<Path> siblings = Files.list(root.getParent())) {
            for (Path stale : siblings.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                log.accept("criu root: removing the unfinished build " + stale);
                deleteTree(stale);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root.getParent(), e);
        }
    }

    /**
     * Deletes a build directory, but never one with something mounted inside: mmdebstrap mounts the machine's
     * /dev and /proc into the root while it works, and a build killed at that moment leaves them there.
     */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        List<String> mounts = mountsUnder(dir);
        if (!mounts.isEmpty()) {
            throw new IllegalStateException(dir + " still has file systems mounted in it (" + String.join(", ", mounts)
                    + "); unmount them (umount -R " + dir + ") and remove it");
        }
        FileTrees.delete(dir);
    }

    private static List<String> mountsUnder(Path dir) {
        String prefix = dir.toAbsolutePath().normalize() + "/";
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(l -> l.split(" ")[4].replace("\\040", " "))
                    .filter(m -> (m + "/").startsWith(prefix))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
        }
    }
}
