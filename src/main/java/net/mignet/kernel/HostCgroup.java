package net.mignet.kernel;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.mignet.topo.ResourceLimits;

/**
 * The cgroups of one host (one per hierarchy that has a controller mignet uses: cpu, cpuacct, memory, pids), named
 * like the host's network namespace ({@code mignet.<id>.<host>}), so clean-up finds them by the emulation's prefix.
 * Each controller is used where the machine has it: cgroup v1 (these machines: hybrid mode), or v2. A v1 cgroup is
 * made under the cgroup mignet itself runs in (a machine that confines mignet confines its hosts too); a v2 one
 * under the root of the unified hierarchy (v2 allows no processes beside child cgroups elsewhere).
 */
public final class HostCgroup implements AutoCloseable {
    static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    private static final long CFS_PERIOD_US = 100_000;
    private static final List<String> CONTROLLERS = List.of("cpu", "cpuacct", "memory", "pids");

    /** CPU time used (ns), memory in use now (bytes) and how many processes the memory limit killed. */
    public record Usage(long cpuNanos, long memoryBytes, long oomKills) {
    }

    private final String name;
    /** Controller to its directory; several controllers may share one (v2, or v1 co-mounted cpu,cpuacct). */
    private final Map<String, Path> dirs;
    private final Map<String, Boolean> v2;

    private HostCgroup(String name, Map<String, Path> dirs, Map<String, Boolean> v2) {
        this.name = name;
        this.dirs = dirs;
        this.v2 = v2;
    }

    /** Where each controller lives on this machine: its hierarchy's directory for mignet's cgroups. */
    private record Hierarchy(Path parent, boolean v2) {
    }

    /** The controllers this machine offers, with their parent directory (computed each time: cheap). */
    private static Map<String, Hierarchy> hierarchies() {
        Map<String, Hierarchy> found = new LinkedHashMap<>();
        Path unified = Files.isRegularFile(CGROUP_ROOT.resolve("cgroup.controllers")) ? CGROUP_ROOT
                : Files.isRegularFile(CGROUP_ROOT.resolve("unified/cgroup.controllers")) ? CGROUP_ROOT.resolve("unified")
                : null;
        Set<String> v2Controllers = new LinkedHashSet<>();
        if (unified != null) {
            v2Controllers.addAll(List.of(read(unified.resolve("cgroup.controllers")).trim().split("\\s+")));
        }
        Map<String, String> own = ownV1Paths();
        for (String c : CONTROLLERS) {
            Path v1 = CGROUP_ROOT.resolve(c);
            if (unified != CGROUP_ROOT && Files.isRegularFile(v1.resolve("cgroup.procs"))) {
                String rel = own.getOrDefault(c, "/");
                Path parent = v1.resolve(rel.substring(1));
                found.put(c, new Hierarchy(Files.isDirectory(parent) ? parent : v1, false));
            } else if (v2Controllers.contains(c.equals("cpuacct") ? "cpu" : c)) {
                found.put(c, new Hierarchy(unified, true));
            }
        }
        return found;
    }

    /** The cgroup of this process in each v1 hierarchy, from {@code /proc/self/cgroup}. */
    private static Map<String, String> ownV1Paths() {
        Map<String, String> paths = new LinkedHashMap<>();
        for (String line : read(Path.of("/proc/self/cgroup")).lines().toList()) {
            String[] f = line.split(":", 3);
            if (f.length == 3 && !f[1].isEmpty()) {
                for (String c : f[1].split(",")) {
                    paths.put(c, f[2]);
                }
            }
        }
        return paths;
    }

    /** Whether this machine has any of the controllers mignet uses (else hosts get no cgroups at all). */
    public static boolean available() {
        return !hierarchies().isEmpty();
    }

    /** Why {@code limits} cannot be enforced here, or empty when they can. */
    public static Optional<String> unavailableReason(ResourceLimits limits) {
        Map<String, Hierarchy> h = hierarchies();
        List<String> missing = new ArrayList<>();
        if (limits.cpuLimit().isPresent() && !h.containsKey("cpu")) {
            missing.add("cpu");
        }
        if (limits.memoryLimit().isPresent() && !h.containsKey("memory")) {
            missing.add("memory");
        }
        if (limits.pidsLimit().isPresent() && !h.containsKey("pids")) {
            missing.add("pids");
        }
        return missing.isEmpty() ? Optional.empty() : Optional.of("this machine has no cgroup controller for "
                + String.join(", ", missing) + " (neither in cgroup v1 under " + CGROUP_ROOT + " nor in cgroup v2);"
                + " drop those limits or enable the controllers");
    }

    /** Makes the cgroups named {@code name} in every hierarchy that has a controller mignet uses. */
    public static HostCgroup create(String name) {
        if (!name.startsWith(EmulationId.NAMESPACE_PREFIX) || name.contains("/")) {
            throw new IllegalArgumentException("cgroup name '" + name + "' must be a host's namespace name");
        }
        Map<String, Path> dirs = new LinkedHashMap<>();
        Map<String, Boolean> v2 = new LinkedHashMap<>();
        for (Map.Entry<String, Hierarchy> e : hierarchies().entrySet()) {
            Path dir = e.getValue().parent().resolve(name);
            try {
                if (e.getValue().v2()) {
                    enableV2(e.getValue().parent(), e.getKey().equals("cpuacct") ? "cpu" : e.getKey());
                }
                Files.createDirectories(dir);
            } catch (IOException ex) {
                throw new IllegalStateException("cannot create the cgroup " + dir + ": " + ex.getMessage(), ex);
            }
            dirs.put(e.getKey(), dir);
            v2.put(e.getKey(), e.getValue().v2());
        }
        return new HostCgroup(name, dirs, v2);
    }

    private static void enableV2(Path parent, String controller) throws IOException {
        String enabled = read(parent.resolve("cgroup.subtree_control"));
        if (!List.of(enabled.trim().split("\\s+")).contains(controller)) {
            Files.writeString(parent.resolve("cgroup.subtree_control"), "+" + controller);
        }
    }

    public String name() {
        return name;
    }

    /** Sets the limits (unset ones become unlimited); refuses one whose controller the machine lacks. */
    public void apply(ResourceLimits limits) {
        unavailableReason(limits).ifPresent(r -> {
            throw new IllegalStateException(r);
        });
        if (dirs.containsKey("cpu")) {
            Path cpu = dirs.get("cpu");
            long quota = limits.cpuLimit().isPresent() ? Math.round(limits.cpu() * CFS_PERIOD_US) : -1;
            if (v2.get("cpu")) {
                write(cpu.resolve("cpu.max"), (quota < 0 ? "max" : Long.toString(quota)) + " " + CFS_PERIOD_US);
            } else {
                write(cpu.resolve("cpu.cfs_period_us"), Long.toString(CFS_PERIOD_US));
                write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(quota));
            }
        }
        if (dirs.containsKey("memory")) {
            Path mem = dirs.get("memory");
            if (v2.get("memory")) {
                write(mem.resolve("memory.max"), limits.memoryLimit().isPresent() ? Long.toString(limits.memory())
                        : "max");
                if (Files.exists(mem.resolve("memory.swap.max"))) {
                    // Without this a host over its limit swaps instead of having its biggest process killed.
                    write(mem.resolve("memory.swap.max"), limits.memoryLimit().isPresent() ? "0" : "max");
                }
            } else {
                Path memsw = mem.resolve("memory.memsw.limit_in_bytes");
                boolean swapAccounting = Files.exists(memsw);
                if (swapAccounting) {
                    write(memsw, "-1"); // memory+swap may never be below memory alone: open it first
                }
                String value = limits.memoryLimit().isPresent() ? Long.toString(limits.memory()) : "-1";
                write(mem.resolve("memory.limit_in_bytes"), value);
                if (swapAccounting) {
                    write(memsw, value);
                }
            }
        }
        if (dirs.containsKey("pids")) {
            write(dirs.get("pids").resolve("pids.max"),
                    limits.pidsLimit().isPresent() ? Long.toString(limits.pids()) : "max");
        }
    }

    /** Moves process {@code pid} (all its threads) into this host's cgroups; its children are born there. */
    public void add(long pid) {
        for (Path procs : procsFiles()) {
            write(procs, Long.toString(pid));
        }
    }

    /** The {@code cgroup.procs} file of each distinct directory, for a process that moves itself in. */
    public List<Path> procsFiles() {
        return dirs.values().stream().distinct().map(d -> d.resolve("cgroup.procs")).toList();
    }

    /**
     * Puts the calling thread (only it: cgroup v1 places threads one by one) into this host's v1 cgroups, so the
     * children it starts are born there; returns false when some hierarchy is v2, whose cgroups take whole
     * processes only: then a child must be moved in after it started ({@link #add}).
     */
    public boolean joinThread() {
        boolean all = true;
        for (Map.Entry<String, Path> e : dirs.entrySet()) {
            if (v2.get(e.getKey())) {
                all = false;
            } else {
                write(e.getValue().resolve("tasks"), "0"); // 0: the writing thread itself
            }
        }
        return all;
    }

    /** A fixed script (no value is ever pasted into it): writes its own pid into each file, then execs the rest. */
    private static final String JOIN_SCRIPT = "for f do shift; [ \"$f\" = -- ] && exec \"$@\"; "
            + "echo $$ > \"$f\" || exit 125; done; exit 125";

    /** {@code argv} prefixed so that the process moves itself into this host's cgroups before it execs argv. */
    public List<String> joinArgv(List<String> argv) {
        List<String> full = new ArrayList<>(List.of("sh", "-c", JOIN_SCRIPT, "mignet-cgroup"));
        procsFiles().forEach(p -> full.add(p.toString()));
        full.add("--");
        full.addAll(argv);
        return full;
    }

    /** CPU time, memory use and memory-limit kills so far. */
    public Usage usage() {
        long cpu = 0;
        if (dirs.containsKey("cpuacct") && !v2.get("cpuacct")) {
            cpu = parseLong(read(dirs.get("cpuacct").resolve("cpuacct.usage")).trim());
        } else if (dirs.containsKey("cpu") && v2.get("cpu")) {
            cpu = field(read(dirs.get("cpu").resolve("cpu.stat")), "usage_usec") * 1000;
        }
        long memory = 0;
        long oom = 0;
        if (dirs.containsKey("memory")) {
            Path mem = dirs.get("memory");
            if (v2.get("memory")) {
                memory = parseLong(read(mem.resolve("memory.current")).trim());
                oom = field(read(mem.resolve("memory.events")), "oom_kill");
            } else {
                memory = parseLong(read(mem.resolve("memory.usage_in_bytes")).trim());
                oom = field(read(mem.resolve("memory.oom_control")), "oom_kill");
            }
        }
        return new Usage(cpu, memory, oom);
    }

    /** Removes the cgroups; their processes must have ended (an emptying cgroup is waited for briefly). */
    @Override
    public void close() {
        dirs.values().stream().distinct().forEach(HostCgroup::remove);
    }

    /**
     * Removes every cgroup whose name starts with {@code prefix} (an emulation's namespace prefix), in every
     * hierarchy, under its root and under this process's own cgroup; returns the directories removed.
     */
    public static List<Path> removeAll(String prefix) {
        Set<Path> parents = new LinkedHashSet<>();
        for (Hierarchy h : hierarchies().values()) {
            parents.add(h.parent());
        }
        for (String c : CONTROLLERS) {
            if (Files.isDirectory(CGROUP_ROOT.resolve(c))) {
                parents.add(CGROUP_ROOT.resolve(c));
            }
        }
        List<Path> removed = new ArrayList<>();
        for (Path parent : parents) {
            try (DirectoryStream<Path> children = Files.newDirectoryStream(parent, prefix + "*")) {
                for (Path child : children) {
                    if (Files.isDirectory(child)) {
                        remove(child);
                        removed.add(child);
                    }
                }
            } catch (IOException e) {
                // A hierarchy we cannot list holds none of ours.
            }
        }
        return removed;
    }

    /**
     * rmdir of a cgroup: the kernel refuses while a task is still in it, which a process killed a moment ago may
     * be until it has been reaped; waits for it (up to 2 s) instead of failing at once.
     */
    private static void remove(Path dir) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (true) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot remove the cgroup " + dir + " (" + e.getMessage()
                            + "); processes still in it: " + read(dir.resolve("cgroup.procs")).replace('\n', ' ')
                            + ". Kill them, then rmdir " + dir);
                }
                try {
                    Thread.sleep(10); // the kernel offers no event for "the last task has left" in v1
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while removing " + dir, ie);
                }
            }
        }
    }

    private static long field(String text, String key) {
        for (String line : text.lines().toList()) {
            String[] w = line.trim().split("\\s+");
            if (w.length == 2 && w[0].equals(key)) {
                return parseLong(w[1]);
            }
        }
        return 0;
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void write(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write '" + value + "' to " + file + ": " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return name + " " + dirs.keySet().stream().map(c -> c + (v2.get(c) ? "(v2)" : "(v1)"))
                .reduce((a, b) -> a + "," + b).orElse("").toLowerCase(Locale.ROOT);
    }
}
