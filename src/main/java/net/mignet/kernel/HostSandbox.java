package net.mignet.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import net.mignet.topo.HostContainer;

/**
 * A host with its own root file system: mount, PID, UTS and IPC namespaces of its own inside its network
 * namespace (PID, UTS and IPC each optional). The root is an overlay of a cached image (the shared, read-only lower layer) and a writable upper
 * layer of this host's under the emulation's state directory (a tmpfs: nothing reaches the disk); it gets
 * {@code /proc} of its PID namespace, {@code /sys} of its network namespace, a private {@code /dev} (a few device
 * nodes bound from the machine's, its own {@code devpts} and {@code /dev/shm}), and fresh {@code /tmp} and
 * {@code /run}.
 *
 * <p>How it is made, without any process running set-up code: a platform thread of mignet's enters the host's
 * network namespace, unshares the others, makes the mounts, starts the namespace's init ({@code catatonit -P}: a
 * static pause-mode init that reaps orphans and ends on SIGTERM/SIGINT, which keeps the namespaces alive while
 * apps come and go) and the machine's {@code mount} for {@code /proc} (a proc mount shows the PID namespace of the
 * process that mounts it, so it must be made from inside), then pivots the root: that moves every process of the
 * mount namespace, the init included, onto the image, and detaches the machine's file system from it. The mounts
 * live only in the host's mount namespace: they vanish with its last process, and the machine's mount table never
 * sees them.
 *
 * <p>Commands enter all five namespaces through the init ({@link #enterArgv}); apps are started right inside them
 * by a thread that joined them ({@link #spawn}).
 */
public final class HostSandbox implements AutoCloseable {
    public static final String INIT = "catatonit";
    private static final int O_RDWR = 2;
    private static final Set<HostContainer.Namespace> ALL = EnumSet.allOf(HostContainer.Namespace.class);

    private final String hostName;
    private final String namespace;
    private final Path stateDir;
    private final long initPid;
    private final Set<HostContainer.Namespace> own;
    private final CompletableFuture<OptionalInt> initExit = new CompletableFuture<>();

    private HostSandbox(String hostName, String namespace, Path stateDir, long initPid,
            Set<HostContainer.Namespace> own) {
        this.hostName = hostName;
        this.namespace = namespace;
        this.stateDir = stateDir;
        this.initPid = initPid;
        this.own = own;
        // The init is our child: reap it when it ends, so it leaves no zombie and clean-up sees it gone.
        Thread.ofPlatform().daemon().name("host-init-" + hostName).stackSize(256 * 1024).start(() -> {
            try {
                initExit.complete(ProcessExit.await(initPid));
            } catch (RuntimeException e) {
                initExit.complete(OptionalInt.empty());
            }
        });
    }

    /** Why hosts cannot have images here, or empty when they can. */
    public static Optional<String> unavailableReason() {
        if (!Files.isDirectory(Path.of("/sys/module/overlay")) && !filesystems().contains("overlay")) {
            return Optional.of("the kernel has no overlayfs (modprobe overlay), which image hosts need");
        }
        if (onPath(INIT).isEmpty()) {
            return Optional.of("'" + INIT + "' is not installed (the init of image hosts): install the Debian package"
                    + " catatonit (scripts/lib.sh does)");
        }
        return Optional.empty();
    }

    private static String filesystems() {
        try {
            return Files.readString(Path.of("/proc/filesystems"));
        } catch (IOException e) {
            return "";
        }
    }

    private static Optional<Path> onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Makes host {@code hostName}'s namespaces inside its network namespace {@code namespace}, with {@code image}
     * (a directory, read only) as the lower layer of its root and {@code stateDir} for its own layer; {@code
     * cgroup}, when given, receives the init before anything else runs.
     */
    public static HostSandbox start(String hostName, String namespace, Path image, Path stateDir, HostCgroup cgroup) {
        return start(hostName, namespace, image, stateDir, cgroup, List.of());
    }

    /**
     * As above, with {@code shared} (directories or files of the machine's) bound read-only at the same paths
     * inside the host, e.g. mignet's JVM and classes, so its built-in apps run on any glibc image.
     */
    public static HostSandbox start(String hostName, String namespace, Path image, Path stateDir, HostCgroup cgroup,
            List<Path> shared) {
        return start(hostName, namespace, image, stateDir, cgroup, shared, ALL);
    }

    /**
     * As above, with only {@code own} of the PID, UTS and IPC namespaces of its own (the mount namespace it always
     * has: the image is its root); it shares the others with the machine. Without a PID namespace of its own the
     * init still runs, in the machine's, holding the mount namespace while apps come and go.
     */
    public static HostSandbox start(String hostName, String namespace, Path image, Path stateDir, HostCgroup cgroup,
            List<Path> shared, Set<HostContainer.Namespace> own) {
        Set<HostContainer.Namespace> mine = own.isEmpty() ? EnumSet.noneOf(HostContainer.Namespace.class)
                : EnumSet.copyOf(own);
        int unshare = ContainerCalls.CLONE_NEWNS | (mine.contains(HostContainer.Namespace.UTS)
                ? ContainerCalls.CLONE_NEWUTS : 0) | (mine.contains(HostContainer.Namespace.IPC)
                ? ContainerCalls.CLONE_NEWIPC : 0) | (mine.contains(HostContainer.Namespace.PID)
                ? ContainerCalls.CLONE_NEWPID : 0);
        unavailableReason().ifPresent(r -> {
            throw new IllegalStateException("host " + hostName + " cannot run on an image: " + r);
        });
        Path upper = ContainerRoot.directory(stateDir, "upper");
        Path work = ContainerRoot.directory(stateDir, "work");
        Path root = ContainerRoot.directory(stateDir, "root");
        long init = onFreshThread(() -> {
            ContainerCalls.setns(NetnsPaths.of(namespace), ContainerCalls.CLONE_NEWNET);
            ContainerCalls.unshare(unshare);
            // Nothing mounted from here on may reach the machine's namespace.
            ContainerCalls.mount(null, "/", null, ContainerCalls.MS_REC | ContainerCalls.MS_PRIVATE, null);
            if (mine.contains(HostContainer.Namespace.UTS)) {
                ContainerCalls.sethostname(hostName);
            }
            ContainerRoot.prepare(root, image, upper, work, shared);
            // The init's working directory is the new root, so the pivot moves it along and nothing of the
            // machine's file system stays referenced.
            ContainerCalls.chdir(root.toString());
            int devNull = Libc.open("/dev/null", O_RDWR | Libc.O_CLOEXEC);
            long pid;
            try {
                pid = ChildSpawn.spawn(List.of(INIT, "-P"), Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), true,
                        devNull, devNull, devNull);
            } catch (RuntimeException e) {
                NativeCalls.close(devNull);
                throw e;
            }
            try {
                if (cgroup != null) {
                    cgroup.add(pid);
                }
                ContainerRoot.mountProcFromChild(root, devNull);
                ContainerRoot.pivot();
                return pid;
            } catch (RuntimeException e) {
                Signals.send(pid, 9);
                ProcessExit.await(pid);
                throw e;
            } finally {
                NativeCalls.close(devNull);
            }
        });
        return new HostSandbox(hostName, namespace, stateDir, init, Set.copyOf(mine));
    }

    /** The namespaces of its own beside the network's and its mount namespace. */
    public Set<HostContainer.Namespace> namespaces() {
        return own;
    }

    /** {@code mount/pid/uts/ipc}: the namespaces it has of its own beside the network's. */
    public String describeNamespaces() {
        List<String> names = new ArrayList<>(List.of("mount"));
        for (HostContainer.Namespace ns : HostContainer.Namespace.values()) {
            if (own.contains(ns)) {
                names.add(ns.name().toLowerCase(java.util.Locale.ROOT));
            }
        }
        return String.join("/", names);
    }

    /** The init's pid as mignet sees it (pid 1 inside the host). */
    public long initPid() {
        return initPid;
    }

    public boolean isAlive() {
        return !initExit.isDone();
    }

    /** The argument vector that runs {@code argv} inside all of this host's namespaces. */
    public List<String> enterArgv(List<String> argv) {
        List<String> full = new ArrayList<>(List.of("nsenter", "--target", Long.toString(initPid), "--mount"));
        if (own.contains(HostContainer.Namespace.UTS)) {
            full.add("--uts");
        }
        if (own.contains(HostContainer.Namespace.IPC)) {
            full.add("--ipc");
        }
        if (own.contains(HostContainer.Namespace.PID)) {
            full.add("--pid");
        }
        full.addAll(List.of("--net=" + NetnsPaths.of(namespace), "--"));
        full.addAll(argv);
        return full;
    }

    /**
     * Starts {@code argv} right inside this host's namespaces (looked up on {@code PATH} in the image), with
     * {@code stdio[i]} as its descriptor {@code i}, leading a session of its own; returns its pid as mignet sees it.
     */
    public long spawn(List<String> argv, Map<String, String> environment, int... stdio) {
        return spawnWith(() -> { }, argv, environment, stdio);
    }

    /** As {@link #spawn}, running {@code beforeSpawn} on the spawning thread first (e.g. to join cgroups). */
    long spawnWith(Runnable beforeSpawn, List<String> argv, Map<String, String> environment, int... stdio) {
        if (!isAlive()) {
            throw new IllegalStateException("host " + hostName + " is down: its init (pid " + initPid + ") has ended");
        }
        return onFreshThread(() -> {
            beforeSpawn.run();
            joinNamespaces();
            return ChildSpawn.spawn(argv, environment, true, stdio);
        });
    }

    private void joinNamespaces() {
        // A thread may change its mount namespace only when it shares its root and working directory with none.
        ContainerCalls.unshare(ContainerCalls.CLONE_FS);
        String ns = "/proc/" + initPid + "/ns/";
        ContainerCalls.setns(ns + "net", ContainerCalls.CLONE_NEWNET);
        // The ones it shares with the machine are the thread's already.
        if (own.contains(HostContainer.Namespace.UTS)) {
            ContainerCalls.setns(ns + "uts", ContainerCalls.CLONE_NEWUTS);
        }
        if (own.contains(HostContainer.Namespace.IPC)) {
            ContainerCalls.setns(ns + "ipc", ContainerCalls.CLONE_NEWIPC);
        }
        if (own.contains(HostContainer.Namespace.PID)) {
            ContainerCalls.setns(ns + "pid", ContainerCalls.CLONE_NEWPID);
        }
        ContainerCalls.setns(ns + "mnt", ContainerCalls.CLONE_NEWNS);
    }

    /** Ends the host's init, and with it every process of its PID namespace and its mounts. */
    @Override
    public void close() {
        if (isAlive()) {
            Signals.send(initPid, 9);
        }
        try {
            initExit.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Reported by the clean-up, which finds it still in the namespace.
        }
        FileTrees.delete(stateDir);
    }

    /**
     * Runs {@code action} on a platform thread of its own that ends afterwards: the namespaces, root and working
     * directory it changes must never be those of a thread that runs anything else.
     */
    static <T> T onFreshThread(Supplier<T> action) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("mignet-sandbox").start(() -> {
            try {
                result.set(action.get());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure.get() instanceof RuntimeException re) {
            throw re;
        }
        if (failure.get() instanceof Error err) {
            throw err;
        }
        if (failure.get() != null) {
            throw new IllegalStateException(failure.get());
        }
        return result.get();
    }

    @Override
    public String toString() {
        return hostName + " (init " + initPid + ")";
    }
}
