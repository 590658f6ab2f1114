package net.mignet.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Keeps criu's cache of what it learned about the kernel ({@code /run/criu.kdat}) in place, so that each criu run
 * does not probe the kernel anew. Measured here: a dump of an 8 MB Python process took 111-297 ms without the
 * cache (criu's log: 100 ms of it before it even looked at the process: pagemap, vDSO, CPU and network probes) and
 * 36-62 ms with it; a restore likewise.
 *
 * <p>criu saves the cache itself only where {@code /run} is a tmpfs (so that it is gone after a reboot, when it
 * would be wrong): on a machine whose {@code /run} lives on disk, as here, it never does, and every criu run pays.
 * mignet then makes the cache as criu would, in a mount namespace of its own with a tmpfs on {@code /run}, and
 * copies it to {@code /run/criu.kdat}, where criu reads it without asking which file system holds it. A cache
 * older than the running kernel's boot is made anew. A leftover {@code /run/criu.kdat.tmp} of a criu that died
 * while saving (criu creates it exclusively, so it would never save again) is removed once it is old.
 */
public final class CriuKdatCache {
    static final Path RUN = Path.of("/run");
    static final Path CACHE = RUN.resolve("criu.kdat");
    /** criu's own temporary name: it creates it with {@code O_EXCL} and gives up saving when it exists. */
    private static final Path CRIU_TEMPORARY = RUN.resolve("criu.kdat.tmp");
    private static final Path OURS_TEMPORARY = RUN.resolve(".mignet-criu.kdat");
    /** Far longer than criu takes between creating its temporary file and renaming it. */
    private static final Duration STALE_TEMPORARY = Duration.ofMinutes(1);
    private static final Duration MAKE_TIMEOUT = Duration.ofSeconds(60);
    private static final int O_RDWR = 2;

    private CriuKdatCache() {
    }

    /** What {@link #ensure} found or did, for the log. */
    public record Outcome(boolean cached, String said) {
    }

    /**
     * Makes sure criu finds a cache of this boot at {@code /run/criu.kdat}, making it with {@code criu} (the
     * argument vector that runs criu) when needed. Never throws: without a cache criu still works, only slower.
     */
    public static Outcome ensure(List<String> criu) {
        try {
            removeStaleTemporary();
            if (isTmpfs(RUN)) {
                return new Outcome(true, "criu keeps its own kernel cache on the tmpfs /run");
            }
            if (Files.isRegularFile(CACHE) && Files.getLastModifiedTime(CACHE).toInstant().isAfter(bootTime())) {
                return new Outcome(true, "criu's kernel cache " + CACHE + " is of this boot");
            }
            long t0 = System.nanoTime();
            byte[] kdat = makeInPrivateRun(criu);
            Files.write(OURS_TEMPORARY, kdat);
            Files.move(OURS_TEMPORARY, CACHE, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new Outcome(true, "made criu's kernel cache " + CACHE + " (" + RUN + " is not a tmpfs, where criu"
                    + " would keep it itself) in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        } catch (IOException | UncheckedIOException | IllegalStateException | CommandException e) {
            return new Outcome(false, "criu runs without its kernel cache, each run probing the kernel again ("
                    + e.getMessage() + ")");
        }
    }

    /** Runs {@code criu check} with a fresh tmpfs on /run in a mount namespace of its own; returns the cache. */
    private static byte[] makeInPrivateRun(List<String> criu) throws IOException {
        CompletableFuture<byte[]> made = new CompletableFuture<>();
        Thread.ofPlatform().name("criu-kdat").start(() -> {
            try {
                // Only this thread's view of the file system changes; it ends with the thread.
                ContainerCalls.unshare(ContainerCalls.CLONE_FS);
                ContainerCalls.unshare(ContainerCalls.CLONE_NEWNS);
                ContainerCalls.mount(null, "/", null, ContainerCalls.MS_REC | ContainerCalls.MS_PRIVATE, null);
                ContainerCalls.mount("mignet-criu-kdat", RUN.toString(), "tmpfs",
                        ContainerCalls.MS_NOSUID | ContainerCalls.MS_NODEV, "size=1m,mode=0755");
                List<String> argv = new java.util.ArrayList<>(criu);
                argv.addAll(List.of("check", "-v0"));
                int devNull = Libc.open("/dev/null", O_RDWR | Libc.O_CLOEXEC);
                long pid;
                try {
                    pid = ChildSpawn.spawn(argv, System.getenv(), devNull, devNull, devNull);
                } finally {
                    NativeCalls.close(devNull);
                }
                ProcessExit.await(pid);
                if (!Files.isRegularFile(CACHE)) {
                    throw new IllegalStateException("criu check left no " + CACHE + " on a tmpfs");
                }
                made.complete(Files.readAllBytes(CACHE));
            } catch (Throwable e) {
                made.completeExceptionally(e);
            }
        });
        try {
            return made.get(MAKE_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("criu check did not end within " + MAKE_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making criu's kernel cache");
        }
    }

    private static void removeStaleTemporary() throws IOException {
        if (Files.isRegularFile(CRIU_TEMPORARY)) {
            FileTime modified = Files.getLastModifiedTime(CRIU_TEMPORARY);
            if (modified.toInstant().isBefore(Instant.now().minus(STALE_TEMPORARY))) {
                Files.deleteIfExists(CRIU_TEMPORARY);
            }
        }
    }

    private static boolean isTmpfs(Path dir) throws IOException {
        return Files.getFileStore(dir).type().equals("tmpfs");
    }

    /** When the running kernel booted, from {@code btime} in {@code /proc/stat}. */
    static Instant bootTime() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
            if (line.startsWith("btime ")) {
                return Instant.ofEpochSecond(Long.parseLong(line.substring(6).strip()));
            }
        }
        throw new IOException("/proc/stat has no btime line");
    }
}
