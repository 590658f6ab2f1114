package net.mignet.kernel;

import java.io.IOException;
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
 * like the host's network namespace ({@code mignet.<id>.<host>}), so clean-up finds them by the emulation's prefix;
 * or those of one app on it ({@code app.<name>}), nested in the host's, with limits tighter than the host's.
 * Each controller is used where {@link CgroupMounts} finds it: in v2 where the v2 hierarchy offers it, else in v1
 * (these machines: hybrid mode, all four in v1).
 *
 * <p>In v1 a host's processes sit in its cgroup beside its apps' cgroups. v2 allows no processes in a cgroup that
 * hands controllers to child cgroups, so there a host's own processes sit in a leaf {@code host} under it, and its
 * apps in {@code app.<name>} beside that leaf; the host's limits are on the cgroup above both.
 */
public final class HostCgroup implements AutoCloseable {
    private static final List<String> CONTROLLERS = List.of("cpu", "cpuacct", "memory", "pids");
    /** The v2 leaf of a host's own processes. */
    static final String HOST_LEAF = "host";
    static final String APP_PREFIX = "app.";

    /** CPU time used (ns), memory in use now (bytes) and how many processes the memory limit killed. */
    public record Usage(long cpuNanos, long memoryBytes, long oomKills) {
    }

    private final String name;
    private final HostCgroup host;
    /** Controller to the directory its limits go in; several controllers may share one (v2, v1 co-mounts). */
    private final Map<String, Path> dirs;
    private final Map<String, Boolean> v2;
    private final boolean localEvents;
    /** The live app cgroups of a host, by directory name. */
    private final Map<String, HostCgroup> apps = new LinkedHashMap<>();
    private volatile ResourceLimits limits = ResourceLimits.NONE;
    /** Memory-limit kills counted in app cgroups removed since (where a host's own count leaves them out). */
    private final java.util.concurrent.atomic.AtomicLong oomKillsOfRemovedApps = new java.util.concurrent.atomic.AtomicLong();
    /**
     * Held while an app cgroup's kills move from its directory to {@link #oomKillsOfRemovedApps}, and while they are
     * summed: a sum taken between the directory's removal and the addition missed the app's kills.
     */
    private final Object oomCount = new Object();

    private HostCgroup(String name, HostCgroup host, Map<String, Path> dirs, Map<String, Boolean> v2,
            boolean localEvents) {
        this.name = name;
        this.host = host;
        this.dirs = dirs;
        this.v2 = v2;
        this.localEvents = localEvents;
    }

    /** Whether this machine has any of the controllers mignet uses (else hosts get no cgroups at all). */
    public static boolean available() {
        CgroupMounts m = CgroupMounts.system();
        return CONTROLLERS.stream().anyMatch(m::has);
    }

    /** Why {@code limits} cannot be enforced here, or empty when they can. */
    public static Optional<String> unavailableReason(ResourceLimits limits) {
        return unavailableReason(limits, CgroupMounts.system());
    }

    static Optional<String> unavailableReason(ResourceLimits limits, CgroupMounts mounts) {
        List<String> missing = new ArrayList<>();
        if (limits.cpuLimit().isPresent()) {
            mounts.missing("cpu").ifPresent(missing::add);
        }
        if (limits.memoryLimit().isPresent()) {
            mounts.missing("memory").ifPresent(missing::add);
        }
        if (limits.pidsLimit().isPresent()) {
            mounts.missing("pids").ifPresent(missing::add);
        }
        return missing.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", missing)
                + "; drop those limits or enable the controllers");
    }

    /** Makes the cgroups named {@code name} in every hierarchy that has a controller mignet uses. */
    public static HostCgroup create(String name) {
        return create(name, CgroupMounts.system());
    }

    /** As {@link #create(String)}, in the hierarchies of {@code mounts}. */
    public static HostCgroup create(String name, CgroupMounts mounts) {
        if (!name.startsWith(EmulationId.NAMESPACE_PREFIX) || name.contains("/")) {
            throw new IllegalArgumentException("cgroup name '" + name + "' must be a host's namespace name");
        }
        Map<String, Path> dirs = new LinkedHashMap<>();
        Map<String, Boolean> v2 = new LinkedHashMap<>();
        boolean localEvents = false;
        EmulationId owner = EmulationId.ofNamespace(name);
        if (owner != null) {
            // Before the directories exist: a kill -9 right after their mkdir still leaves them findable.
            CgroupLocations.record(owner.stateDirectory(), hierarchies(mounts)
                    .map(CgroupMounts.Hierarchy::parentForOurs).distinct().toList());
        }
        for (String c : CONTROLLERS) {
            Optional<CgroupMounts.Hierarchy> h = mounts.of(c);
            if (h.isEmpty()) {
                continue;
            }
            Path parent = h.get().parentForOurs();
            Path dir = parent.resolve(name);
            try {
                Files.createDirectories(dir);
                if (h.get().v2()) {
                    Files.createDirectories(dir.resolve(HOST_LEAF));
                    if (!c.equals("cpuacct")) {
                        // Hand the controller down: to the host's cgroup, and from it to its leaf and apps.
                        enableV2(parent, c);
                        enableV2(dir, c);
                    }
                    localEvents = h.get().localEvents();
                }
            } catch (IOException ex) {
                throw new IllegalStateException("cannot create the cgroup " + dir + ": " + ex.getMessage(), ex);
            }
            dirs.put(c, dir);
            v2.put(c, h.get().v2());
        }
        return new HostCgroup(name, null, dirs, v2, localEvents);
    }

    /** The hierarchy of each controller mignet uses: v1 mounts cpu and cpuacct together, so one may come twice. */
    private static java.util.stream.Stream<CgroupMounts.Hierarchy> hierarchies(CgroupMounts mounts) {
        return CONTROLLERS.stream().flatMap(c -> mounts.of(c).stream());
    }

    private static void enableV2(Path cgroup, String controller) throws IOException {
        String enabled = read(cgroup.resolve("cgroup.subtree_control"));
        if (!List.of(enabled.trim().split("\\s+")).contains(controller)) {
            Files.writeString(cgroup.resolve("cgroup.subtree_control"), "+" + controller);
        }
    }

    /**
     * Makes the cgroup of app {@code appName} inside this host's, with {@code appLimits}, which must be tighter
     * than the host's (else refused, saying which); the app's processes must then be started in it (as with a
     * host's: {@link #joinThread}, {@link #add}, {@link #joinArgv}).
     */
    public synchronized HostCgroup createApp(String appName, ResourceLimits appLimits) {
        if (host != null) {
            throw new IllegalStateException(name + " is an app's cgroup; apps get theirs in their host's");
        }
        if (!appName.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
            throw new IllegalArgumentException("app name '" + appName + "' cannot name a cgroup");
        }
        unavailableReason(appLimits, mountsOfMine()).ifPresent(r -> {
            throw new IllegalStateException(r);
        });
        appLimits.requireWithin(limits, "app " + appName, hostName());
        String leaf = APP_PREFIX + appName;
        for (int n = 2; apps.containsKey(leaf); n++) {
            leaf = APP_PREFIX + appName + "." + n; // its predecessor of the same name is still leaving
        }
        Map<String, Path> appDirs = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : dirs.entrySet()) {
            Path dir = e.getValue().resolve(leaf);
            try {
                Files.createDirectories(dir);
            } catch (IOException ex) {
                throw new IllegalStateException("cannot create the cgroup " + dir + ": " + ex.getMessage(), ex);
            }
            appDirs.put(e.getKey(), dir);
        }
        HostCgroup app = new HostCgroup(leaf, this, appDirs, v2, localEvents);
        try {
            app.apply(appLimits);
        } catch (RuntimeException e) {
            app.removeDirs();
            throw e;
        }
        apps.put(leaf, app);
        return app;
    }

    /** The hierarchies this cgroup is in, as far as its limits go. */
    private CgroupMounts mountsOfMine() {
        Map<String, CgroupMounts.Hierarchy> h = new LinkedHashMap<>();
        dirs.forEach((c, d) -> h.put(c, new CgroupMounts.Hierarchy(d, v2.get(c), d, localEvents)));
        return new CgroupMounts(h, Optional.empty());
    }

    /** The host's name ({@code h1} of {@code mignet.<id>.h1}). */
    private String hostName() {
        String n = host == null ? name : host.name;
        String rest = n.substring(EmulationId.NAMESPACE_PREFIX.length());
        return rest.substring(rest.indexOf('.') + 1);
    }

    /** The directory name: the host's namespace name, or {@code app.<name>}. */
    public String name() {
        return name;
    }

    /** Whether this is an app's cgroup inside its host's. */
    public boolean isApp() {
        return host != null;
    }

    /** The app cgroups of this host that are in use now. */
    public synchronized List<HostCgroup> apps() {
        return List.copyOf(apps.values());
    }

    /** The limits asked for (an app's may be held tighter by its host's: {@link #limitsInForce}). */
    public ResourceLimits limits() {
        return limits;
    }

    /** The limits that hold: a host's own, or an app's within its host's. */
    public ResourceLimits limitsInForce() {
        return host == null ? limits : limits.within(host.limits);
    }

    /**
     * Sets the limits (unset ones become unlimited); refuses one whose controller the machine lacks, and an app's
     * above its host's. A host's limits tighter than one of its apps' hold that app within them (the app's own
     * come back when the host's are raised again).
     */
    public void apply(ResourceLimits next) {
        unavailableReason(next, mountsOfMine()).ifPresent(r -> {
            throw new IllegalStateException(r);
        });
        if (host != null) {
            synchronized (host) {
                // Only what changes must fit the host's: a limit the host has since lowered below the app's own
                // holds the app (written held), and must not refuse a change of another one.
                ResourceLimits changed = new ResourceLimits(next.cpu() != limits.cpu() ? next.cpu() : 0,
                        next.memory() != limits.memory() ? next.memory() : 0,
                        next.pids() != limits.pids() ? next.pids() : 0);
                changed.requireWithin(host.limits, "app " + name.substring(APP_PREFIX.length()), hostName());
                write(next.within(host.limits));
                limits = next;
            }
            return;
        }
        synchronized (this) {
            // v1 refuses a child's CFS quota above its parent's: lowering, the apps go first; raising, the host.
            boolean lowering = next.cpu() != 0 && (limits.cpu() == 0 || next.cpu() < limits.cpu());
            if (lowering) {
                apps.values().forEach(a -> a.write(a.limits.within(next)));
            }
            write(next);
            limits = next;
            if (!lowering) {
                apps.values().forEach(a -> a.write(a.limits.within(next)));
            }
        }
    }

    private void write(ResourceLimits l) {
        if (dirs.containsKey("cpu")) {
            Path cpu = dirs.get("cpu");
            if (v2.get("cpu")) {
                write(cpu.resolve("cpu.max"), CgroupValues.cpuMax(l.cpu()));
            } else {
                write(cpu.resolve("cpu.cfs_period_us"), Long.toString(CgroupValues.CFS_PERIOD_US));
                write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(CgroupValues.quotaMicros(l.cpu())));
            }
        }
        if (dirs.containsKey("memory")) {
            Path mem = dirs.get("memory");
            if (v2.get("memory")) {
                write(mem.resolve("memory.max"), CgroupValues.max(l.memory()));
                if (Files.exists(mem.resolve("memory.swap.max"))) {
                    // Without this a host over its limit swaps instead of having its biggest process killed.
                    write(mem.resolve("memory.swap.max"), l.memoryLimit().isPresent() ? "0" : "max");
                }
            } else {
                Path memsw = mem.resolve("memory.memsw.limit_in_bytes");
                boolean swapAccounting = Files.exists(memsw);
                if (swapAccounting) {
                    write(memsw, "-1"); // memory+swap may never be below memory alone: open it first
                }
                String value = l.memoryLimit().isPresent() ? Long.toString(l.memory()) : "-1";
                write(mem.resolve("memory.limit_in_bytes"), value);
                if (swapAccounting) {
                    write(memsw, value);
                }
            }
        }
        if (dirs.containsKey("pids")) {
            write(dirs.get("pids").resolve("pids.max"), CgroupValues.max(l.pids()));
        }
    }

    /** The limits the kernel holds this cgroup to now, read back from its control files. */
    public ResourceLimits kernelLimits() {
        double cpu = 0;
        if (dirs.containsKey("cpu")) {
            Path d = dirs.get("cpu");
            cpu = v2.get("cpu") ? CgroupValues.parseCpuMax(read(d.resolve("cpu.max")))
                    : CgroupValues.parseCfs(read(d.resolve("cpu.cfs_quota_us")), read(d.resolve("cpu.cfs_period_us")));
        }
        long memory = 0;
        if (dirs.containsKey("memory")) {
            Path d = dirs.get("memory");
            memory = v2.get("memory") ? CgroupValues.parseMax(read(d.resolve("memory.max")))
                    : CgroupValues.parseV1Bytes(read(d.resolve("memory.limit_in_bytes")));
        }
        long pids = dirs.containsKey("pids") ? CgroupValues.parseMax(read(dirs.get("pids").resolve("pids.max"))) : 0;
        return new ResourceLimits(cpu, memory, pids);
    }

    /** The directory processes of this cgroup go in: a v2 host's leaf, else the cgroup itself. */
    private Path memberDir(String controller) {
        Path d = dirs.get(controller);
        return v2.get(controller) && host == null ? d.resolve(HOST_LEAF) : d;
    }

    /** Moves process {@code pid} (all its threads) into this cgroup; its children are born there. */
    public void add(long pid) {
        for (Path procs : procsFiles()) {
            write(procs, Long.toString(pid));
        }
    }

    /**
     * Moves process {@code pid} back into mignet's own cgroups, where the processes of hosts without limits live:
     * out of whatever host's cgroup it was put in (criu restores a copy into the cgroups it was dumped from).
     */
    public static void moveToOwn(long pid) {
        CgroupMounts mounts = CgroupMounts.system();
        hierarchies(mounts).map(CgroupMounts.Hierarchy::ownCgroup).distinct()
                .filter(Files::isDirectory).forEach(own -> write(own.resolve("cgroup.procs"), Long.toString(pid)));
    }

    /** The {@code cgroup.procs} file of each distinct directory, for a process that moves itself in. */
    public List<Path> procsFiles() {
        return dirs.keySet().stream().map(this::memberDir).distinct().map(d -> d.resolve("cgroup.procs")).toList();
    }

    /** The processes in this cgroup now (an app's, or a host's own without its apps'). */
    public List<Long> members() {
        Set<Long> pids = new LinkedHashSet<>();
        for (Path procs : procsFiles()) {
            read(procs).lines().map(String::strip).filter(s -> !s.isEmpty()).map(Long::parseLong).forEach(pids::add);
        }
        return List.copyOf(pids);
    }

    /**
     * Puts the calling thread (only it: cgroup v1 places threads one by one) into these v1 cgroups, so the
     * children it starts are born there; returns false when some hierarchy is v2, whose cgroups take whole
     * processes only: then a child must be moved in after it started ({@link #add}).
     */
    public boolean joinThread() {
        boolean all = true;
        for (String c : dirs.keySet()) {
            if (v2.get(c)) {
                all = false;
            } else {
                write(memberDir(c).resolve("tasks"), "0"); // 0: the writing thread itself
            }
        }
        return all;
    }

    /** A fixed script (no value is ever pasted into it): writes its own pid into each file, then execs the rest. */
    private static final String JOIN_SCRIPT = "for f do shift; [ \"$f\" = -- ] && exec \"$@\"; "
            + "echo $$ > \"$f\" || exit 125; done; exit 125";

    /** {@code argv} prefixed so that the process moves itself into this cgroup before it execs argv. */
    public List<String> joinArgv(List<String> argv) {
        List<String> full = new ArrayList<>(List.of("sh", "-c", JOIN_SCRIPT, "mignet-cgroup"));
        procsFiles().forEach(p -> full.add(p.toString()));
        full.add("--");
        full.addAll(argv);
        return full;
    }

    /** CPU time, memory use and memory-limit kills so far (a host's include its apps'). */
    public Usage usage() {
        long cpu = 0;
        if (dirs.containsKey("cpuacct") && !v2.get("cpuacct")) {
            cpu = parseLong(read(dirs.get("cpuacct").resolve("cpuacct.usage")));
        } else if (dirs.containsKey("cpuacct")) {
            cpu = CgroupValues.keyed(read(dirs.get("cpuacct").resolve("cpu.stat")), "usage_usec") * 1000;
        }
        long memory = 0;
        long oom = 0;
        if (dirs.containsKey("memory")) {
            Path mem = dirs.get("memory");
            if (v2.get("memory")) {
                memory = parseLong(read(mem.resolve("memory.current")));
            } else {
                memory = parseLong(read(mem.resolve("memory.usage_in_bytes")));
            }
            synchronized (oomCount) {
                if (v2.get("memory")) {
                    // memory.events counts the cgroup's descendants too, unless mounted with memory_localevents.
                    oom = localEvents ? sumOverTree(mem, "memory.events") + oomKillsOfRemovedApps.get()
                            : oomKills(mem.resolve("memory.events"));
                } else {
                    // v1 counts a kill only in the cgroup whose limit was hit: a host's total is its apps' too.
                    oom = sumOverTree(mem, "memory.oom_control") + oomKillsOfRemovedApps.get();
                }
            }
        }
        return new Usage(cpu, memory, oom);
    }

    private static long oomKills(Path file) {
        return CgroupValues.keyed(read(file), "oom_kill");
    }

    private static long sumOverTree(Path dir, String file) {
        long sum = oomKills(dir.resolve(file));
        for (Path child : CgroupLocations.subdirectories(dir)) {
            sum += sumOverTree(child, file);
        }
        return sum;
    }

    /**
     * Removes the cgroups, an app's (its processes must have ended; any it left behind move up to its host, as
     * orphans of an app without a cgroup stay on the host) or a host's with whatever app cgroups it still has
     * (all processes must be gone or going: an emptying cgroup is waited for briefly).
     */
    @Override
    public void close() {
        if (host != null) {
            synchronized (host) {
                host.apps.remove(name, this);
            }
            for (Map.Entry<String, Path> e : dirs.entrySet()) {
                Path up = host.memberDir(e.getKey()).resolve("cgroup.procs");
                for (long pid : readPids(e.getValue().resolve("cgroup.procs"))) {
                    try {
                        Files.writeString(up, Long.toString(pid));
                    } catch (IOException ex) {
                        // It ended meanwhile.
                    }
                }
            }
            synchronized (host.oomCount) {
                long oom = dirs.containsKey("memory") ? oomKills(dirs.get("memory").resolve(v2.get("memory")
                        ? "memory.events" : "memory.oom_control")) : 0;
                removeDirs();
                host.oomKillsOfRemovedApps.addAndGet(oom);
            }
            return;
        }
        removeDirs();
    }

    private void removeDirs() {
        dirs.values().stream().distinct().forEach(HostCgroup::remove);
    }

    /**
     * Kills every process in this cgroup and the cgroups below it at once: v2's {@code cgroup.kill} where the
     * kernel has it, else SIGKILL to each member until none is left (up to 2 s); returns how many were signalled
     * ({@code cgroup.kill} does not say: then the members seen just before).
     */
    public int killAll() {
        Set<Path> roots = new LinkedHashSet<>(dirs.values());
        int killed = 0;
        for (Path dir : roots) {
            killed += killTree(dir);
        }
        return killed;
    }

    private static int killTree(Path dir) {
        int seen = treeMembers(dir).size();
        if (Files.exists(dir.resolve("cgroup.kill"))) {
            write(dir.resolve("cgroup.kill"), "1");
            return seen;
        }
        long deadline = System.nanoTime() + 2_000_000_000L;
        Set<Long> signalled = new LinkedHashSet<>();
        List<Long> left;
        // A process forking while its siblings are killed could leave a child behind: go on until none is left.
        while (!(left = treeMembers(dir)).isEmpty() && System.nanoTime() < deadline) {
            for (long pid : left) {
                if (Signals.send(pid, 9)) {
                    signalled.add(pid);
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        return Math.max(seen, signalled.size());
    }

    /**
     * The processes in {@code dir} and below, but mignet's own: in v1 a thread of it joins a cgroup for a moment to
     * start a process there, which lists the whole JVM among the cgroup's processes meanwhile.
     */
    private static List<Long> treeMembers(Path dir) {
        long self = ProcessHandle.current().pid();
        List<Long> all = new ArrayList<>(readPids(dir.resolve("cgroup.procs")).stream().filter(p -> p != self)
                .toList());
        for (Path child : CgroupLocations.subdirectories(dir)) {
            all.addAll(treeMembers(child));
        }
        return all;
    }

    /**
     * Removes every cgroup whose name starts with {@code prefix} (an emulation's namespace prefix), in every
     * hierarchy, wherever it was made (see {@link CgroupLocations}: the directories recorded in the emulation's state
     * directory, this process's own cgroup, and a bounded search of each hierarchy), with the app cgroups inside;
     * what still runs in them (after a {@code kill -9} of mignet) is killed first. Returns the directories removed.
     */
    public static List<Path> removeAll(String prefix) {
        return removeAll(prefix, CgroupMounts.system());
    }

    static List<Path> removeAll(String prefix, CgroupMounts mounts) {
        EmulationId id = EmulationId.ofNamespace(prefix + "x"); // the emulation whose prefix it is, if any
        List<Path> parents = new ArrayList<>(id == null ? List.of() : CgroupLocations.recorded(id.stateDirectory()));
        CONTROLLERS.forEach(c -> mounts.of(c).ifPresent(h -> parents.add(h.parentForOurs())));
        List<Path> removed = new ArrayList<>();
        for (Path dir : CgroupLocations.named(prefix, roots(mounts), parents)) {
            if (Files.isDirectory(dir)) {
                killTree(dir);
                remove(dir);
                removed.add(dir);
            }
        }
        return removed;
    }

    /**
     * The emulations that have host cgroups where this process would make them (under its own cgroup in v1, to a
     * bounded depth), with those cgroups, whether or not anything else of them is left. Not the whole hierarchy:
     * on a machine whose sandboxes share it (each with its own {@code /run}), another sandbox's running
     * emulation would look like a leftover there. An emulation's own cgroups elsewhere are found by {@link
     * #removeAll} from the parents its state directory records.
     */
    public static Map<EmulationId, List<Path>> leftovers() {
        CgroupMounts mounts = CgroupMounts.system();
        return CgroupLocations.byEmulation(hierarchies(mounts)
                .map(CgroupMounts.Hierarchy::parentForOurs).distinct().toList());
    }

    /** The roots of the hierarchies of the controllers mignet uses. */
    private static List<Path> roots(CgroupMounts mounts) {
        return hierarchies(mounts).map(CgroupMounts.Hierarchy::mount)
                .distinct().toList();
    }

    /**
     * rmdir of a cgroup, after the cgroups inside it (a cgroup directory holds only control files, which go with
     * it, and child cgroups). The kernel refuses while a task is still in it, which a process killed a moment ago
     * may be until it has been reaped; waits for it (up to 2 s) instead of failing at once.
     */
    private static void remove(Path dir) {
        for (Path child : CgroupLocations.subdirectories(dir)) {
            remove(child);
        }
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
                    Thread.sleep(10); // v1 offers no event for "the last task has left"
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while removing " + dir, ie);
                }
            }
        }
    }

    private static List<Long> readPids(Path procs) {
        return read(procs).lines().map(String::strip).filter(s -> !s.isEmpty()).map(Long::parseLong).toList();
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
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

    /** The directory of {@code controller}'s hierarchy, if this cgroup is in one that has it. */
    public Optional<Path> directory(String controller) {
        return Optional.ofNullable(dirs.get(controller));
    }

    @Override
    public String toString() {
        return name + " " + dirs.keySet().stream().map(c -> c + (v2.get(c) ? "(v2)" : "(v1)"))
                .reduce((a, b) -> a + "," + b).orElse("").toLowerCase(Locale.ROOT);
    }
}
