package net.mignet.kernel;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Runs criu operations: checks, dump, pre-dump, restore, the page server and the lazy-pages daemon. Each
 * operation writes its own log; a failure throws {@link CriuException} quoting the log's last errors.
 *
 * <p>criu runs in the machine's own mount namespace (it opens the restored program's files by path, so it
 * must see the same file system as the program). A dump runs inside the source host's network namespace,
 * entered with {@code nsenter --net} only: criu then treats the namespace as its own and does not try to dump
 * it, and no extra mount namespace (as {@code ip netns exec} makes) confuses it. A restore joins the target's
 * network namespace with {@code --join-ns}.
 */
public final class Criu {
    /** The largest deleted file criu copies into a dump; its default, 1 MiB, is less than a JVM's class archive. */
    private static final String GHOST_LIMIT = "512M";
    /** {@link #GHOST_LIMIT} in bytes, as criu's RPC takes it. */
    static final int GHOST_LIMIT_BYTES = 512 << 20;
    public static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(120);
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    /** criu's log level: 4 logs every step, which is what a failed migration needs to be understood. */
    private static final String VERBOSITY = "-v4";

    private final List<String> command;

    /** @param command the argument vector that runs criu, e.g. {@code [criu]} or a root's loader and binary */
    public Criu(List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no criu command given");
        }
        this.command = List.copyOf(command);
    }

    /** The argument vector that runs criu. */
    public List<String> command() {
        return command;
    }

    /** The result of {@code criu check} or {@code criu check --feature F}. */
    public record Check(String feature, boolean passed, String output) {
        /** What criu said, on one line. */
        public String said() {
            return output.strip().replaceAll("\\s*\n\\s*", "; ");
        }
    }

    /** Runs criu with {@code args}, in the current namespaces, to completion. */
    public CommandResult run(List<String> args, Duration timeout) {
        List<String> argv = new ArrayList<>(command);
        argv.addAll(args);
        return Command.run(argv, null, timeout);
    }

    /**
     * The nftables tables with which criu locks the network of a namespace while it dumps established TCP
     * connections ({@code inet CRIU-<id>}). A dump leaves its lock in place, for a restore in the same
     * namespace to lift; when the copy is restored elsewhere, the lock would keep blocking those connections'
     * addresses in the source namespace, e.g. when the app comes back.
     */
    public static Set<String> networkLocks(String namespace) {
        String out = Command.run(List.of("ip", "netns", "exec", namespace, "nft", "list", "tables", "inet"), null,
                Duration.ofSeconds(10)).orThrow().stdout();
        Set<String> tables = new TreeSet<>();
        for (String line : out.lines().toList()) {
            String[] w = line.trim().split("\\s+");
            if (w.length == 3 && w[0].equals("table") && w[2].startsWith("CRIU-")) {
                tables.add(w[2]);
            }
        }
        return tables;
    }

    /** Removes criu's network locks {@code tables} from a namespace (see {@link #networkLocks}). */
    public static void unlockNetwork(String namespace, Set<String> tables) {
        for (String t : tables) {
            Command.run(List.of("ip", "netns", "exec", namespace, "nft", "delete", "table", "inet", t), null,
                    Duration.ofSeconds(10)).orThrow();
        }
    }

    /** criu's {@code --version} output (e.g. {@code Version: 4.2.1}). */
    public String version() {
        return run(List.of("--version"), Duration.ofSeconds(10)).orThrow().stdout();
    }

    /** {@code criu check}: whether the kernel has everything criu needs to dump and restore at all. */
    public Check check() {
        CommandResult r = run(List.of("check"), Duration.ofSeconds(30));
        return new Check("(all required)", r.ok() && r.stdout().contains("Looks good"), r.stdout() + r.stderr());
    }

    /** {@code criu check --feature F}, e.g. {@code mem_dirty_track}, {@code uffd-noncoop}. */
    public Check checkFeature(String feature) {
        if (!feature.matches("[a-z0-9_-]+")) {
            throw new IllegalArgumentException("not a criu feature name: " + feature);
        }
        CommandResult r = run(List.of("check", "--feature", feature), Duration.ofSeconds(30));
        return new Check(feature, r.ok(), r.stdout() + r.stderr());
    }

    /** The full argument vector of a dump. */
    public List<String> dumpCommand(CriuDumpOptions o) {
        List<String> argv = new ArrayList<>(List.of("nsenter", "--net=" + NetnsPaths.of(o.namespace()), "--"));
        argv.addAll(command);
        argv.addAll(dumpArguments(o));
        return argv;
    }

    /** A dump's arguments after the command that runs criu. */
    private static List<String> dumpArguments(CriuDumpOptions o) {
        List<String> argv = new ArrayList<>();
        argv.addAll(List.of("dump", "-t", Long.toString(o.pid()),
                "-D", o.imagesDir().toString(), "-o", o.logFile().toString(), VERBOSITY,
                // A file the process maps or holds open may be deleted or replaced meanwhile (a runtime's cache
                // regenerated by another process): criu then copies it into the images, up to this size only.
                "--ghost-limit", GHOST_LIMIT));
        if (o.tcpEstablished()) {
            // nftables, because criu's default (iptables) needs iptables-restore, which mignet does not install.
            argv.addAll(List.of("--tcp-established", "--network-lock", "nftables"));
        }
        for (CriuTty tty : o.externalTtys()) {
            argv.addAll(List.of("--external", tty.key()));
        }
        if (o.shellJob()) {
            argv.add("--shell-job");
        }
        if (o.leaveStopped()) {
            argv.add("--leave-stopped");
        }
        if (o.pageServer() != null) {
            argv.addAll(List.of("--page-server", "--address", o.pageServer().address(),
                    "--port", Integer.toString(o.pageServer().port())));
        }
        if (o.lazyPages() != null) {
            argv.addAll(List.of("--lazy-pages", "--address", o.lazyPages().address(),
                    "--port", Integer.toString(o.lazyPages().port()), "--status-fd", "1"));
        }
        return argv;
    }

    /**
     * Checkpoints the tree and returns how long criu took. The tree is gone afterwards (its parent still has to
     * reap it before its pid can be restored). Not for lazy dumps: see
     * {@link #startLazyDump}.
     */
    public Duration dump(CriuDumpOptions o) {
        if (o.lazyPages() != null) {
            throw new IllegalArgumentException("a lazy dump keeps running while it serves pages: use startLazyDump");
        }
        return runToEnd("criu dump of pid " + o.pid(), dumpCommand(o), o);
    }

    private Duration runToEnd(String what, List<String> argv, CriuDumpOptions o) {
        createDirectory(o.imagesDir());
        long t0 = System.nanoTime();
        CommandResult r = Command.run(argv, null, OPERATION_TIMEOUT);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        if (!r.ok()) {
            throw new CriuException(what + " failed (exit " + r.exitCode() + ")" + stderrOf(r), o.logFile());
        }
        return took;
    }

    /**
     * Starts a post-copy dump: criu dumps everything but the memory pages, then serves the pages at
     * {@code o.lazyPages()} to a lazy-pages daemon. Returns once the images are written and pages are being
     * served; the process ends by itself when every page has been fetched. The dumped tree stays frozen (and
     * keeps its pids) until then.
     */
    public CriuProcess startLazyDump(CriuDumpOptions o) {
        if (o.lazyPages() == null) {
            throw new IllegalArgumentException("a lazy dump needs the address to serve pages at (withLazyPages)");
        }
        createDirectory(o.imagesDir());
        CriuProcess p = CriuProcess.start("criu lazy dump of pid " + o.pid(), dumpCommand(o), o.logFile());
        try {
            return p.awaitReady(OPERATION_TIMEOUT);
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /**
     * Starts a page server inside {@code namespace} that writes the pages a dump sends it into
     * {@code imagesDir}; returns once it listens. It ends by itself when the dump has sent everything.
     */
    public CriuProcess startPageServer(String namespace, Path imagesDir, CriuEndpoint listen, Path logFile) {
        createDirectory(imagesDir);
        List<String> argv = new ArrayList<>(List.of("nsenter", "--net=" + NetnsPaths.of(namespace), "--"));
        argv.addAll(command);
        argv.addAll(List.of("page-server", "-D", imagesDir.toString(), "--address", listen.address(),
                "--port", Integer.toString(listen.port()), "-o", logFile.toString(), VERBOSITY, "--status-fd", "1"));
        return startAndAwait("criu page server on " + listen + " in " + namespace, argv, logFile);
    }

    /**
     * Starts the lazy-pages daemon for a post-copy restore from {@code imagesDir}: inside {@code namespace} (the
     * target host), it fetches pages from the lazy dump at {@code source} as the restored tree touches them, and
     * the rest in the background. Returns once a restore can connect to it; it ends when every page has arrived.
     */
    public CriuProcess startLazyPagesDaemon(String namespace, Path imagesDir, CriuEndpoint source, Path logFile) {
        List<String> argv = new ArrayList<>(List.of("nsenter", "--net=" + NetnsPaths.of(namespace), "--"));
        argv.addAll(command);
        argv.addAll(List.of("lazy-pages", "--page-server", "--address", source.address(),
                "--port", Integer.toString(source.port()), "-D", imagesDir.toString(), "-o", logFile.toString(),
                VERBOSITY, "--status-fd", "1"));
        return startAndAwait("criu lazy-pages daemon for " + source + " in " + namespace, argv, logFile);
    }

    private static CriuProcess startAndAwait(String what, List<String> argv, Path logFile) {
        CriuProcess p = CriuProcess.start(what, argv, logFile);
        try {
            return p.awaitReady(READY_TIMEOUT);
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /** The full argument vector of a restore; criu must be given the terminals as its descriptors. */
    public List<String> restoreCommand(CriuRestoreOptions o) {
        List<String> argv = new ArrayList<>(command);
        argv.addAll(List.of("restore", "-D", o.imagesDir().toString(), "-o", o.logFile().toString(), VERBOSITY,
                "--join-ns", "net:" + NetnsPaths.of(o.namespace()), "--pidfile", o.pidFile().toString()));
        if (o.sibling()) {
            argv.add("--restore-sibling");
        }
        if (o.detached()) {
            argv.add("--restore-detached");
        }
        if (o.shellJob()) {
            argv.add("--shell-job");
        }
        if (o.tcpEstablished()) {
            argv.addAll(List.of("--tcp-established", "--network-lock", "nftables"));
        }
        for (CriuRestoreOptions.InheritedTerminal t : o.terminals()) {
            argv.addAll(List.of("--inherit-fd", "fd[" + t.criuFd() + "]:" + t.tty().key()));
        }
        if (o.lazyPages()) {
            argv.add("--lazy-pages");
        }
        return argv;
    }

    /**
     * Starts criu ahead of a restore ({@link CriuService}), so that loading it is not part of the restore; the
     * restore must hand on exactly {@code terminals} (held descriptors).
     */
    public CriuService startService(List<CriuRestoreOptions.InheritedTerminal> terminals) {
        return CriuService.start(command, terminals);
    }

    /**
     * Starts criu inside {@code namespace} ahead of a dump of one of its processes ({@link CriuService}), so that
     * loading it is not part of the freeze.
     */
    public CriuService startDumpService(String namespace) {
        return CriuService.startIn(namespace, command);
    }

    /** A restored tree: its root's pid and how long criu took. */
    public record Restored(long pid, Duration took) {
    }

    /**
     * Restores the tree and returns its root's pid, read from the pid file. Needs {@code detached} (criu returns
     * once the tree runs). Terminals held as descriptors are handed to criu as the descriptors asked for (any
     * number); terminals given by path are opened for criu as its standard input, output and error, so their
     * {@link CriuRestoreOptions.InheritedTerminal#criuFd()} must be 0, 1 or 2.
     */
    public Restored restore(CriuRestoreOptions o) {
        if (!o.detached()) {
            throw new IllegalArgumentException("restore() waits for criu to end, so the restore must be detached;"
                    + " start restoreCommand() yourself for an attached restore");
        }
        boolean held = o.terminals().stream().anyMatch(t -> t.heldFd() >= 0);
        if (held && o.terminals().stream().anyMatch(t -> t.heldFd() < 0)) {
            throw new IllegalArgumentException("give a restore's terminals all as held descriptors or all by path");
        }
        try {
            Files.deleteIfExists(o.pidFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the old pid file " + o.pidFile(), e);
        }
        long t0 = System.nanoTime();
        int exit = held ? spawnWithDescriptors(o) : startWithRedirects(o);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        if (exit != 0) {
            throw new CriuException("criu restore into " + o.namespace() + " failed (exit " + exit + ")", o.logFile());
        }
        try {
            return new Restored(Long.parseLong(Files.readAllLines(o.pidFile()).getFirst().strip()), took);
        } catch (IOException | RuntimeException e) {
            throw new CriuException("criu restore succeeded but left no pid in " + o.pidFile(), o.logFile());
        }
    }

    /** criu as a child with exactly the descriptors asked for (its 0-2 are the JVM's own unless given). */
    private int spawnWithDescriptors(CriuRestoreOptions o) {
        int size = Math.max(3, o.terminals().stream().mapToInt(t -> t.criuFd() + 1).max().orElse(0));
        int[] stdio = new int[size];
        for (int i = 0; i < size; i++) {
            stdio[i] = i < 3 ? i : 0;
        }
        o.terminals().forEach(t -> stdio[t.criuFd()] = t.heldFd());
        long pid = ChildSpawn.spawn(restoreCommand(o), System.getenv(), stdio);
        java.util.concurrent.CompletableFuture<java.util.OptionalInt> status = new java.util.concurrent
                .CompletableFuture<>();
        Thread.ofPlatform().daemon().name("criu-restore-" + pid).start(() -> status.complete(ProcessExit.await(pid)));
        try {
            return status.get(OPERATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).orElse(-1);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new CriuException("criu restore did not finish within " + OPERATION_TIMEOUT.toSeconds() + " s"
                    + " (pid " + pid + ")", o.logFile());
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("waiting for criu restore failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during criu restore", e);
        }
    }

    private int startWithRedirects(CriuRestoreOptions o) {
        ProcessBuilder pb = new ProcessBuilder(restoreCommand(o));
        for (CriuRestoreOptions.InheritedTerminal t : o.terminals()) {
            File slave = t.slave().toFile();
            switch (t.criuFd()) {
                case 0 -> pb.redirectInput(ProcessBuilder.Redirect.from(slave));
                case 1 -> pb.redirectOutput(ProcessBuilder.Redirect.appendTo(slave));
                case 2 -> pb.redirectError(ProcessBuilder.Redirect.appendTo(slave));
                default -> throw new IllegalArgumentException("terminals given by path reach criu as descriptors"
                        + " 0-2 only, not " + t.criuFd() + "; give held descriptors instead");
            }
        }
        if (!o.terminals().isEmpty()) {
            requireNoSessionOfOurOwn();
        }
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(OPERATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new CriuException("criu restore did not finish within " + OPERATION_TIMEOUT.toSeconds() + " s",
                        o.logFile());
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new CommandException("cannot start criu restore: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during criu restore", e);
        }
    }

    /**
     * ProcessBuilder opens redirect files in the JVM without {@code O_NOCTTY}; a JVM that leads its own session
     * and has no terminal would take the first terminal it opens as its controlling terminal.
     */
    private static void requireNoSessionOfOurOwn() {
        try {
            String stat = Files.readAllLines(Path.of("/proc/self/stat")).getFirst();
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long session = Long.parseLong(after[3]);
            if (session == ProcessHandle.current().pid()) {
                throw new IllegalStateException("this JVM leads its own session, so opening the app's terminals"
                        + " for criu could make one its controlling terminal; start restoreCommand() with"
                        + " descriptors opened with O_NOCTTY instead");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/stat", e);
        }
    }

    /**
     * Copies the images of {@code from} that {@code to} lacks (the dump's own images next to the pages a page
     * server wrote), leaving logs and pid files behind; returns the bytes copied.
     */
    public static long copyImages(Path from, Path to) {
        createDirectory(to);
        long bytes = 0;
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (!Files.isRegularFile(f) || name.endsWith(".log") || name.endsWith(".pid")
                        || Files.exists(to.resolve(name))) {
                    continue;
                }
                Files.copy(f, to.resolve(name));
                bytes += Files.size(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy criu images from " + from + " to " + to, e);
        }
        return bytes;
    }

    private static String stderrOf(CommandResult r) {
        String text = r.stderr().strip();
        return text.isEmpty() ? "" : ": " + text;
    }

    private static void createDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the images directory " + dir, e);
        }
    }
}
