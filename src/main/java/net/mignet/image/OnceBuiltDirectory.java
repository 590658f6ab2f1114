package net.mignet.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.Stream;
import net.mignet.kernel.FileTrees;

/**
 * A directory of a cache that is built once and then only read: it is built in a scratch directory beside its
 * final place and renamed into place in one step, under a lock file, so two processes asking at once build it
 * once, nobody ever sees half of it, and a build that fails or dies leaves nothing behind (the next build removes
 * a dead build's scratch directory).
 */
final class OnceBuiltDirectory {
    /** One builder at a time in this JVM too: a file lock is held per process, not per thread. */
    private static final ReentrantLock IN_PROCESS = new ReentrantLock();

    /** Fills a scratch directory (which exists and is empty) with the finished content, or fails. */
    @FunctionalInterface
    interface Build {
        void into(Path scratch) throws BuildFailure;
    }

    private OnceBuiltDirectory() {
    }

    /** {@code dir}, built by {@code build} unless it exists (or another process built it while we waited). */
    static Path ensure(Path dir, String what, Consumer<String> log, Build build) throws BuildFailure {
        if (Files.isDirectory(dir)) {
            return dir;
        }
        try {
            Files.createDirectories(dir.getParent());
        } catch (IOException e) {
            throw new BuildFailure("cannot create " + dir.getParent() + ": " + e.getMessage());
        }
        Path lockFile = dir.resolveSibling(dir.getFileName() + ".lock");
        IN_PROCESS.lock();
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock held = channel.tryLock();
            if (held == null) {
                log.accept(what + ": waiting for " + lockFile + ": another process is building it");
                held = channel.lock();
            }
            try {
                if (Files.isDirectory(dir)) {
                    return dir;
                }
                removeStaleBuilds(dir, what, log);
                Path scratch = dir.resolveSibling(dir.getFileName() + ".build-" + ProcessHandle.current().pid());
                Files.createDirectories(scratch);
                boolean done = false;
                try {
                    build.into(scratch);
                    Files.move(scratch, dir, StandardCopyOption.ATOMIC_MOVE);
                    done = true;
                } catch (AtomicMoveNotSupportedException e) {
                    throw new BuildFailure("cannot rename " + scratch + " to " + dir + " in one step: " + e.getMessage());
                } finally {
                    if (!done) {
                        deleteTree(scratch);
                    }
                }
                return dir;
            } finally {
                held.release();
            }
        } catch (IOException e) {
            throw new BuildFailure("cannot build " + dir + ": " + e.getMessage());
        } finally {
            IN_PROCESS.unlock();
        }
    }

    /** Scratch directories of builds that died (we hold the lock, so no build is running). */
    private static void removeStaleBuilds(Path dir, String what, Consumer<String> log) {
        String prefix = dir.getFileName() + ".build-";
        try (Stream<Path> siblings = Files.list(dir.getParent())) {
            for (Path stale : siblings.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                log.accept(what + ": removing the unfinished build " + stale);
                deleteTree(stale);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir.getParent(), e);
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
