package net.mignet.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A cgroup that stops a set of processes as one, without their noticing: unlike SIGSTOP, a frozen process gets no
 * signal, its parent sees no state change, and its children cannot escape by forking. Where {@link CgroupMounts}
 * finds it: the v1 freezer hierarchy ({@code /sys/fs/cgroup/freezer/mignet/NAME}, {@code freezer.state}; these
 * machines), else v2's {@code cgroup.freeze} (every v2 cgroup has it, kernel 5.2 on), in the host's own v2 cgroup
 * when it has one (moving its processes elsewhere would take them out of its limits), else in {@code
 * <v2 root>/mignet/NAME}. A v1-frozen process cannot even die (SIGKILL waits for the thaw), so every way out of
 * here thaws or releases first; v2 lets a frozen process die of SIGKILL.
 */
public final class FreezerCgroup implements AutoCloseable {
    public static final Path HIERARCHY = Path.of("/sys/fs/cgroup/freezer");
    private static final String OURS = "mignet";
    private static final Duration SETTLE = Duration.ofSeconds(5);

    private final Path dir;
    private final boolean v2;
    /** Whether mignet made the directory for freezing (else it is a host's v2 cgroup, which stays). */
    private final boolean own;
    /** Where members go when they leave: the cgroup mignet itself runs in. */
    private final Path home;

    private FreezerCgroup(Path dir, boolean v2, boolean own, Path home) {
        this.dir = dir;
        this.v2 = v2;
        this.own = own;
        this.home = home;
    }

    /** Whether the machine can freeze with a cgroup: a writable v1 freezer hierarchy, or v2 on kernel 5.2+. */
    public static boolean available() {
        return available(CgroupMounts.system());
    }

    static boolean available(CgroupMounts mounts) {
        return mounts.of("freezer").map(h -> h.v2() ? kernelAtLeast(5, 2) && Files.isWritable(h.mount())
                : Files.isRegularFile(h.mount().resolve("cgroup.procs")) && Files.isWritable(h.mount()))
                .orElse(false);
    }

    /** {@code v1} or {@code v2}: which freezer {@link #create} uses here. */
    public static String version() {
        return CgroupMounts.system().of("freezer").map(h -> h.v2() ? "v2" : "v1").orElse("none");
    }

    private static boolean kernelAtLeast(int major, int minor) {
        String[] v = System.getProperty("os.version", "0.0").split("[.-]");
        try {
            int ma = Integer.parseInt(v[0]);
            int mi = v.length > 1 ? Integer.parseInt(v[1]) : 0;
            return ma > major || ma == major && mi >= minor;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Makes (or reuses) the cgroup {@code name}, e.g. the host's namespace name. */
    public static FreezerCgroup create(String name) {
        return create(name, CgroupMounts.system());
    }

    /** As {@link #create(String)}, with the freezer of {@code mounts}. */
    public static FreezerCgroup create(String name, CgroupMounts mounts) {
        if (name.contains("/") || name.startsWith(".")) {
            throw new IllegalArgumentException("freezer cgroup name '" + name + "' must be one plain path element");
        }
        CgroupMounts.Hierarchy h = mounts.of("freezer").orElseThrow(() -> new IllegalStateException(
                mounts.missing("freezer").orElse("no freezer") + "; freeze with SIGSTOP instead"));
        Path home = h.v2() ? h.ownCgroup() : h.parentForOurs();
        if (h.v2()) {
            Path hostCgroup = h.parentForOurs().resolve(name);
            if (Files.isRegularFile(hostCgroup.resolve("cgroup.freeze"))) {
                return new FreezerCgroup(hostCgroup, true, false, home);
            }
        }
        Path dir = h.mount().resolve(OURS).resolve(name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the freezer cgroup " + dir + " (is " + h.mount()
                    + " a mounted cgroup hierarchy?): " + e.getMessage(), e);
        }
        return new FreezerCgroup(dir, h.v2(), true, home);
    }

    public Path path() {
        return dir;
    }

    /**
     * Moves processes in (with all their threads); ones that ended meanwhile are skipped, and so are, in a host's
     * v2 cgroup, those already in it or in one of its apps'.
     */
    public void add(Collection<Long> pids) {
        Set<Long> inside = own ? Set.of() : new LinkedHashSet<>(members());
        for (long pid : pids) {
            if (!inside.contains(pid)) {
                moveTo(own ? dir : dir.resolve(HostCgroup.HOST_LEAF), pid);
            }
        }
    }

    /** The processes in the cgroup now (with those of the cgroups below it). */
    public List<Long> members() {
        List<Long> all = new ArrayList<>();
        collect(dir, all);
        return all;
    }

    private static void collect(Path cgroup, List<Long> into) {
        into.addAll(readPids(cgroup.resolve("cgroup.procs")));
        try (DirectoryStream<Path> children = Files.newDirectoryStream(cgroup, Files::isDirectory)) {
            children.forEach(c -> collect(c, into));
        } catch (IOException e) {
            // gone
        }
    }

    /** Freezes every member and waits until the kernel reports them all frozen. */
    public void freeze() {
        setState(true);
    }

    public void thaw() {
        setState(false);
    }

    public boolean isFrozen() {
        return v2 ? CgroupValues.keyed(read(dir.resolve("cgroup.events")), "frozen") == 1
                : read(dir.resolve("freezer.state")).strip().equals("FROZEN");
    }

    private void setState(boolean frozen) {
        Path control = dir.resolve(v2 ? "cgroup.freeze" : "freezer.state");
        String wanted = v2 ? (frozen ? "1" : "0") : (frozen ? "FROZEN" : "THAWED");
        long deadline = System.nanoTime() + SETTLE.toNanos();
        try {
            Files.writeString(control, wanted);
            // v1: FREEZING means some task has not reached the refrigerator yet, and writing again retries it.
            // v2: cgroup.events says "frozen 1" once every task is.
            while (isFrozen() != frozen) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(dir + " did not become " + (frozen ? "frozen" : "thawed")
                            + " within " + SETTLE.toSeconds() + " s");
                }
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                if (!v2) {
                    Files.writeString(control, wanted);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + wanted + " to " + control, e);
        }
    }

    /** Thaws, hands every member back to mignet's own cgroup, and removes the cgroup (a host's v2 one stays). */
    @Override
    public void close() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        thaw();
        if (own) {
            removeThawed(dir, home);
        }
    }

    /**
     * Lets processes leave whatever v1 freezer cgroup of mignet's they are in, which thaws them (e.g. to let a
     * process on a frozen host die of the SIGKILL it was sent); v2 lets frozen processes die, so they stay.
     */
    public static void release(Collection<Long> pids) {
        CgroupMounts mounts = CgroupMounts.system();
        mounts.of("freezer").filter(h -> !h.v2()).ifPresent(h -> {
            for (long pid : pids) {
                if (memberOfOurs(pid)) {
                    moveTo(h.parentForOurs(), pid);
                }
            }
        });
    }

    /** Thaws and removes every freezer cgroup whose name starts with {@code prefix}; returns how many. */
    public static int removeAll(String prefix) {
        return removeAll(prefix, CgroupMounts.system());
    }

    static int removeAll(String prefix, CgroupMounts mounts) {
        if (mounts.of("freezer").isEmpty()) {
            return 0;
        }
        CgroupMounts.Hierarchy h = mounts.of("freezer").get();
        Path home = h.v2() ? h.ownCgroup() : h.parentForOurs();
        List<Path> found = new ArrayList<>(children(h.mount().resolve(OURS), prefix));
        int removed = 0;
        for (Path d : found) {
            try {
                new FreezerCgroup(d, h.v2(), true, home).close();
                removed++;
            } catch (RuntimeException e) {
                // A clean-up goes on with the rest; what stays is thawed or empty, and harmless.
            }
        }
        if (h.v2()) {
            // Hosts' own v2 cgroups frozen in place: thawed here, removed with the host's cgroups.
            for (Path d : children(h.parentForOurs(), prefix)) {
                try {
                    new FreezerCgroup(d, true, false, home).thaw();
                } catch (RuntimeException e) {
                    // as above
                }
            }
        }
        return removed;
    }

    private static List<Path> children(Path parent, String prefix) {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(parent)) {
            return found;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, p -> Files.isDirectory(p)
                && p.getFileName().toString().startsWith(prefix))) {
            dirs.forEach(found::add);
        } catch (IOException e) {
            // none
        }
        return found;
    }

    private static void removeThawed(Path dir, Path home) {
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

    /** Whether the process is in a v1 freezer cgroup of mignet's. */
    private static boolean memberOfOurs(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
                // 6:freezer:/mignet/mignet.lab-1a2b.h2
                String[] f = line.split(":", 3);
                if (f.length == 3 && List.of(f[1].split(",")).contains("freezer")) {
                    return f[2].startsWith("/" + OURS + "/");
                }
            }
        } catch (IOException e) {
            // gone
        }
        return false;
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

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
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
