package net.mignet.image;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Builds a small Debian unstable root file system holding criu, once, with {@code mmdebstrap}: the Debian
 * release this machine runs may ship a criu too old for its kernel, and installing another release's packages
 * would replace the machine's libc. Built and renamed into place as a {@link OnceBuiltDirectory}.
 */
final class CriuRootBuilder {
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
        return OnceBuiltDirectory.ensure(root, "criu root", log, scratch -> build(scratch, mirror));
    }

    private void build(Path scratch, String mirror) throws BuildFailure {
        log.accept("criu root: building " + root + " with mmdebstrap from " + mirror
                + " (Debian unstable, essential packages and criu; about 10-20 s, once)");
        long t0 = System.nanoTime();
        List<String> lines = Mmdebstrap.build("essential", "unstable", List.of("criu"), scratch, mirror,
                "criu root", log);
        if (!Files.isRegularFile(scratch.resolve("usr/sbin/criu"))) {
            throw new BuildFailure("mmdebstrap did not build a root with criu; its last lines:\n"
                    + Mmdebstrap.tail(lines));
        }
        if (!usable.test(scratch)) {
            throw new BuildFailure("the criu that mmdebstrap installed from " + mirror + " is not usable (see above)");
        }
        log.accept(String.format("criu root: ready in %.1f s at %s", (System.nanoTime() - t0) / 1e9, root));
    }

    /** Deletes a build directory, unmounting what is mounted in it first (see {@link OnceBuiltDirectory#deleteTree}). */
    static void deleteTree(Path dir) {
        OnceBuiltDirectory.deleteTree(dir);
    }
}
