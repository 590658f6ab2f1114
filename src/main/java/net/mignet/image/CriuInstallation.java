package net.mignet.image;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import net.mignet.kernel.CommandException;
import net.mignet.kernel.Criu;
import net.mignet.kernel.CriuKdatCache;

/**
 * A working criu, {@link #MINIMUM} or newer, and how to run it. {@link #find} takes, in this order: a root named
 * by {@code MIGNET_CRIU_ROOT}; the system's {@code criu} when it is new enough and {@code criu check} passes;
 * the cached root {@code /var/cache/mignet/criu-root}; a root built there now with {@code mmdebstrap} from the
 * mirror in the machine's apt sources. A root's criu runs through the root's own dynamic loader and libraries,
 * in the machine's own mount namespace (criu opens the checkpointed program's files by path, so it must see the
 * file system the program sees).
 */
public final class CriuInstallation {
    /**
     * 4.2 is the first release that dumps inet sockets on kernels from 6.16 on (they refuse SO_PASSCRED on
     * them; criu issue 2718); 3.17 fails on kernels from 6.13 on (vDSO bounds, criu issue 2532).
     */
    public static final CriuVersion MINIMUM = new CriuVersion(4, 2, 0);
    public static final Path DEFAULT_CACHE = Path.of("/var/cache/mignet");
    public static final String ROOT_VARIABLE = "MIGNET_CRIU_ROOT";

    private static CriuLookup shared;

    private final Criu criu;
    private final CriuVersion version;
    private final String origin;

    private final CriuKdatCache.Outcome kernelCache;

    private CriuInstallation(Criu criu, CriuVersion version, String origin, CriuKdatCache.Outcome kernelCache) {
        this.criu = criu;
        this.version = version;
        this.origin = origin;
        this.kernelCache = kernelCache;
    }

    /** Whether criu runs find its kernel cache (each run without it probes the kernel for ~100 ms), and why. */
    public CriuKdatCache.Outcome kernelCache() {
        return kernelCache;
    }

    /** Runs criu's operations. */
    public Criu criu() {
        return criu;
    }

    public CriuVersion version() {
        return version;
    }

    /** Where this criu comes from: {@code system (/usr/sbin/criu)} or {@code root /var/cache/mignet/criu-root}. */
    public String origin() {
        return origin;
    }

    /**
     * Post-copy: {@code dump --lazy-pages} and {@code restore --lazy-pages} need userfaultfd, also for events of
     * other processes ({@code uffd-noncoop}).
     */
    public Capability lazyPages() {
        for (String feature : List.of("uffd", "uffd-noncoop")) {
            Criu.Check c = criu.checkFeature(feature);
            if (!c.passed()) {
                return Capability.no("lazy pages (post-copy)", "the kernel lacks userfaultfd ("
                        + "criu check --feature " + feature + " says: " + c.said() + ")");
            }
        }
        return Capability.yes("lazy pages (post-copy)");
    }

    /** Iterative pre-dump rounds need the kernel's soft-dirty memory tracking. */
    public Capability checkpointRounds() {
        Criu.Check c = criu.checkFeature("mem_dirty_track");
        if (!c.passed()) {
            return Capability.no("checkpoint pre-dump rounds", "the kernel does not track dirty memory"
                    + " (CONFIG_MEM_SOFT_DIRTY is not set; criu check --feature mem_dirty_track says: " + c.said()
                    + "), so every round would copy all memory again; use one dump, or --lazy");
        }
        return Capability.yes("checkpoint pre-dump rounds");
    }

    @Override
    public String toString() {
        return "criu " + version + " from " + origin;
    }

    /** The machine's criu, found (or built) once per JVM; progress goes to standard error. */
    public static CriuLookup find() {
        return find(System.err::println);
    }

    /** The machine's criu, found (or built, logging progress to {@code log}) once per JVM. */
    public static synchronized CriuLookup find(Consumer<String> log) {
        if (shared == null) {
            shared = find(DEFAULT_CACHE, log);
        }
        return shared;
    }

    /** Looks for a working criu, building the cached root under {@code cacheDir} when needed. */
    public static CriuLookup find(Path cacheDir, Consumer<String> log) {
        List<String> tried = new ArrayList<>();
        String named = System.getenv(ROOT_VARIABLE);
        if (named != null && !named.isBlank()) {
            Probe p = probeRoot(Path.of(named));
            if (p.installation != null) {
                return CriuLookup.of(p.installation);
            }
            tried.add(ROOT_VARIABLE + "=" + named + ": " + p.problem);
        }
        Optional<Path> system = onPath("criu");
        if (system.isPresent()) {
            Probe p = probe(new Criu(List.of(system.get().toString())), "system (" + system.get() + ")");
            if (p.installation != null) {
                return CriuLookup.of(p.installation);
            }
            tried.add("system criu " + system.get() + ": " + p.problem);
        } else {
            tried.add("no criu on PATH");
        }
        return fromCachedRoot(cacheDir, log, tried);
    }

    /** The root under {@code cacheDir}, built now when missing; {@code tried} says what was tried before. */
    static CriuLookup fromCachedRoot(Path cacheDir, Consumer<String> log, List<String> tried) {
        Path root = cacheDir.resolve("criu-root");
        if (!Files.isDirectory(root)) {
            Optional<String> why = buildRoot(root, log);
            if (why.isPresent()) {
                tried.add(why.get());
                return CriuLookup.unavailable(String.join("; ", tried));
            }
        }
        Probe p = probeRoot(root);
        if (p.installation != null) {
            return CriuLookup.of(p.installation);
        }
        tried.add("cached root " + root + ": " + p.problem + " (remove it to have it built again)");
        return CriuLookup.unavailable(String.join("; ", tried));
    }

    /** Builds the root; the reason when it could not. */
    private static Optional<String> buildRoot(Path root, Consumer<String> log) {
        if (onPath("mmdebstrap").isEmpty()) {
            return Optional.of("no mmdebstrap to build a criu root with (apt-get install mmdebstrap; ./run-tests and"
                    + " ./mignet install it)");
        }
        Optional<String> mirror = AptMirror.ofMachine();
        if (mirror.isEmpty()) {
            return Optional.of("no Debian mirror in " + AptMirror.APT_DIR + " to build a criu root from");
        }
        try {
            new CriuRootBuilder(root, log, scratch -> {
                Probe p = probeRoot(scratch);
                if (p.installation == null) {
                    log.accept("criu root: " + p.problem);
                }
                return p.installation != null || p.runsButCheckFails;
            }).ensure(mirror.get());
            return Optional.empty();
        } catch (BuildFailure e) {
            return Optional.of("building a criu root failed: " + e.getMessage());
        }
    }

    /** How a root's criu is run: its own loader, its own libraries. */
    static List<String> rootCommand(Path root) {
        Layout l = Layout.ofMachine();
        return List.of(root.resolve(l.loader).toString(), "--library-path",
                root.resolve("usr/lib").resolve(l.triplet) + ":" + root.resolve("lib").resolve(l.triplet),
                root.resolve("usr/sbin/criu").toString());
    }

    private static Probe probeRoot(Path root) {
        Layout l = Layout.ofMachine();
        if (l == null) {
            return Probe.failed("no known loader layout for architecture " + System.getProperty("os.arch"), false);
        }
        if (!Files.isRegularFile(root.resolve("usr/sbin/criu"))) {
            return Probe.failed(root + " has no usr/sbin/criu", false);
        }
        if (!Files.isRegularFile(root.resolve(l.loader))) {
            return Probe.failed(root + " has no loader " + l.loader, false);
        }
        return probe(new Criu(rootCommand(root)), "root " + root);
    }

    /** Whether this criu is new enough and {@code criu check} passes. */
    private static Probe probe(Criu criu, String origin) {
        String versionText;
        try {
            versionText = criu.version();
        } catch (CommandException e) {
            return Probe.failed("criu --version failed: " + e.getMessage(), false);
        }
        Optional<CriuVersion> version = CriuVersion.parse(versionText);
        if (version.isEmpty()) {
            return Probe.failed("criu --version printed no version: " + versionText.strip(), false);
        }
        if (!version.get().atLeast(MINIMUM)) {
            return Probe.failed("version " + version.get() + " is too old (" + MINIMUM + " or newer works on this"
                    + " kernel)", false);
        }
        // Before the check, so that the check and every later criu run find the kernel cache.
        CriuKdatCache.Outcome kernelCache = CriuKdatCache.ensure(criu.command());
        Criu.Check check = criu.check();
        if (!check.passed()) {
            return Probe.failed("criu " + version.get() + " runs, but criu check fails: " + check.said(), true);
        }
        return new Probe(new CriuInstallation(criu, version.get(), origin, kernelCache), null, false);
    }

    private static Optional<Path> onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private record Probe(CriuInstallation installation, String problem, boolean runsButCheckFails) {
        static Probe failed(String problem, boolean runsButCheckFails) {
            return new Probe(null, problem, runsButCheckFails);
        }
    }

    /** Where Debian puts the dynamic loader and libraries on this architecture. */
    private record Layout(String loader, String triplet) {
        static Layout ofMachine() {
            return switch (System.getProperty("os.arch")) {
                case "amd64", "x86_64" -> new Layout("lib64/ld-linux-x86-64.so.2", "x86_64-linux-gnu");
                case "aarch64" -> new Layout("lib/ld-linux-aarch64.so.1", "aarch64-linux-gnu");
                default -> null;
            };
        }
    }
}
