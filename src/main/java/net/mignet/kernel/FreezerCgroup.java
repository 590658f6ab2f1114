package net.mignet.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A cgroup of the v1 freezer hierarchy ({@code /sys/fs/cgroup/freezer/mignet/NAME}) that stops a set of
 * processes as one, without their noticing: unlike SIGSTOP, a frozen process gets no signal, its parent sees no
 * state change, and its children cannot escape by forking. A frozen process cannot even die (SIGKILL waits for
 * the thaw), so every way out of here thaws or releases first.
 */
public final class FreezerCgroup implements AutoCloseable {
    public static final Path HIERARCHY = Path.of("/sys/fs/cgroup/freezer");
    private static final Path OURS = HIERARCHY.resolve("mignet");
    private static final Duration SETTLE = Duration.ofSeconds(5);

    private final Path dir;

    private FreezerCgroup(Path dir) {
        this.dir = dir;
    }

    /** Whether the machine has a writable v1 freezer hierarchy (cgroups v1 or hybrid). */
    public static boolean available() {
        return Files.isRegularFile(HIERARCHY.resolve("cgroup.procs")) && Files.isWritable(HIERARCHY);
    }

    /** Makes (or reuses) the cgroup {@code name}, e.g. the host's namespace name. */
    public static FreezerCgroup create(String name) {
        if (name.contains("/") || name.startsWith(".")) {
            throw new IllegalArgumentException("freezer cgroup name '" + name + "' must be one plain path element");
        }
        Path dir = OURS.resolve(name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the freezer cgroup " + dir + " (is " + HIERARCHY
                    + " a mounted cgroup v1 freezer hierarchy?): " + e.getMessage(), e);
        }
        return new FreezerCgroup(dir);
    }

    public Path path() {
        return dir;
    }

    /** Moves processes in (with all their threads); ones that ended meanwhile are skipped. */
    public void add(Collection<Long> pids) {
        for (long pid : pids) {
            moveTo(dir, pid);
        }
    }

    /** The processes in the cgroup now. */
    public List<Long> members() {
        return readPids(dir.resolve("cgroup.procs"));
    }

    /** Freezes every member and waits until the kernel reports them all frozen. */
    public void freeze() {
        setState("FROZEN");
    }

    public void thaw() {
        setState("THAWED");
    }

    public boolean isFrozen() {
        return state().equals("FROZEN");
    }

    private String state() {
        try {
            return Files.readString(dir.resolve("freezer.state")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve("freezer.state"), e);
        }
    }

    private void setState(String wanted) {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        try {
            Files.writeString(dir.resolve("freezer.state"), wanted);
            // FREEZING means some task has not reached the refrigerator yet: writing again retries it.
            while (!state().equals(wanted)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(dir + " did not become " + wanted + " within "
                            + SETTLE.toSeconds() + " s (state " + state() + ")");
                }
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                Files.writeString(dir.resolve("freezer.state"), wanted);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + wanted + " to " + dir.resolve("freezer.state"), e);
        }
    }

    /** Thaws, hands every member back to mignet's own freezer cgroup, and removes the cgroup. */
    @Override
    public void close() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        thaw();
        removeThawed(dir);
    }

    /**
     * Lets processes leave whatever freezer cgroup of mignet's they are in, which thaws them (e.g. to let a
     * process on a frozen host die of the SIGKILL it was sent).
     */
    public static void release(Collection<Long> pids) {
        Path home = ownCgroup();
        for (long pid : pids) {
            if (memberOfOurs(pid)) {
                moveTo(home, pid);
            }
        }
    }

    /** Thaws and removes every freezer cgroup whose name starts with {@code prefix}; returns how many. */
    public static int removeAll(String prefix) {
        if (!Files.isDirectory(OURS)) {
            return 0;
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(OURS, p -> Files.isDirectory(p)
                && p.getFileName().toString().startsWith(prefix))) {
            dirs.forEach(found::add);
        } catch (IOException e) {
            return 0;
        }
        int removed = 0;
        for (Path d : found) {
            try {
                new FreezerCgroup(d).close();
                removed++;
            } catch (RuntimeException e) {
                // A clean-up goes on with the rest; what stays is thawed or empty, and harmless.
            }
        }
        return removed;
    }

    private static void removeThawed(Path dir) {
        Path home = ownCgroup();
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (true) {
            for (long pid : readPids(dir.resolve("cgroup.procs"))) {
                moveTo(home, pid);
            }
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException e) {
                // EBUSY: a process was forked into it meanwhile, or a dying one is still listed.
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot remove the freezer cgroup " + dir + ": "
                            + e.getMessage());
                }
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        }
    }

    private static boolean memberOfOurs(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
                // 6:freezer:/mignet/mignet.lab-1a2b.h2
                String[] f = line.split(":", 3);
                if (f.length == 3 && List.of(f[1].split(",")).contains("freezer")) {
                    return f[2].startsWith("/mignet/");
                }
            }
        } catch (IOException e) {
            // gone
        }
        return false;
    }

    /** The freezer cgroup this JVM runs in, where the processes it starts are born. */
    private static Path ownCgroup() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                String[] f = line.split(":", 3);
                if (f.length == 3 && List.of(f[1].split(",")).contains("freezer")) {
                    Path p = HIERARCHY.resolve(f[2].substring(1));
                    if (!p.startsWith(OURS) && Files.isDirectory(p)) {
                        return p;
                    }
                }
            }
        } catch (IOException e) {
            // fall back to the root
        }
        return HIERARCHY;
    }

    private static void moveTo(Path cgroup, long pid) {
        try {
            Files.writeString(cgroup.resolve("cgroup.procs"), Long.toString(pid));
        } catch (IOException e) {
            if (isLive(pid)) {
                throw new UncheckedIOException("cannot move pid " + pid + " into " + cgroup + ": " + e.getMessage(),
                        e);
            }
            // It ended meanwhile: nothing to move.
        }
    }

    /** Whether the process exists and is not a zombie (which no cgroup takes any more). */
    private static boolean isLive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    private static List<Long> readPids(Path file) {
        try {
            return Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty())
                    .map(Long::parseLong).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
