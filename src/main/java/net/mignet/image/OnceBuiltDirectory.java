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
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.Stream;
import net.mignet.kernel.FileTrees;

/**
 * A directory of a cache that is built once and then only read: it is built in a scratch directory beside its
 * final place and renamed into place in one step, under a lock file, so two processes asking at once build it
 * once, nobody ever sees half of it, and a build that fails or is interrupted leaves nothing behind (one killed
 * outright leaves its scratch directory, which the next build removes). Builds that mount file systems run them
 * in a mount namespace of their own ({@link IsolatedProcess}), so no build leaves a mount behind.
 */
final class OnceBuiltDirectory {
    /** One builder at a time in this JVM too: a file lock is held per process, not per thread. */
    private static final ReentrantLock IN_PROCESS = new ReentrantLock();
    /** How long mignet's exit waits for a build it interrupts to remove its scratch directory (~1 s for 250 MB). */
    private static final Duration CLEAN_UP_AT_EXIT = Duration.ofSeconds(10);

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
        // Kept after every build, failed ones too: the lock is the flock on this empty file, not its existence.
        // Deleting it would let a process that waits on the deleted file build alongside one that makes it anew.
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
                try (var _ = new InterruptOnShutdown(CLEAN_UP_AT_EXIT)) {
                    boolean done = false;
                    try {
                        build.into(scratch);
                        Files.move(scratch, dir, StandardCopyOption.ATOMIC_MOVE);
                        done = true;
                    } catch (AtomicMoveNotSupportedException e) {
                        throw new BuildFailure("cannot rename " + scratch + " to " + dir + " in one step: "
                                + e.getMessage());
                    } finally {
                        if (!done) {
                            deleteTree(scratch);
                        }
                    }
                }
                return dir;
            } finally {
                // An interrupt (see InterruptOnShutdown) closes the channel, which has released the lock already.
                if (held.isValid()) {
                    held.release();
                }
            }
        } catch (IOException e) {
            throw new BuildFailure("cannot build " + dir + ": " + e.getMessage());
        } finally {
            IN_PROCESS.unlock();
        }
    }

    /**
     * Scratch directories of builds that died (we hold the lock, so no build is running). One from before builds
     * ran in a mount namespace of their own may still have what mmdebstrap mounted in it; that is unmounted first,
     * so the removal never reaches into the machine's /dev or /proc.
     */
    private static void removeStaleBuilds(Path dir, String what, Consumer<String> log) {
        String prefix = dir.getFileName() + ".build-";
        try (Stream<Path> siblings = Files.list(dir.getParent())) {
            for (Path stale : siblings.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                log.accept(what + ": removing the unfinished build " + stale);
                MountsUnder mounts = MountsUnder.of(stale);
                if (!mounts.isEmpty()) {
                    log.accept(what + ": unmounting what the killed build left mounted in it: " + mounts);
                }
                deleteTree(stale);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir.getParent(), e);
        }
    }

    /**
     * Deletes a build directory whose build has ended, unmounting first what is mounted inside (deepest first),
     * and never deleting while anything is still mounted: that would delete the files of the machine's /dev/shm
     * or worse. If a mount is busy, the message gives a command that removes the directory safely.
     */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        MountsUnder mounts = MountsUnder.of(dir);
        if (!mounts.isEmpty()) {
            mounts.unmount();
            MountsUnder left = MountsUnder.of(dir);
            if (!left.isEmpty()) {
                throw new IllegalStateException(dir + " still has file systems mounted in it (" + left + "), and"
                        + " they cannot be unmounted (busy?); remove it with: " + left.removalCommand());
            }
        }
        FileTrees.delete(dir);
    }
}
