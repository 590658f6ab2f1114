package net.mignet.migrate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import net.mignet.app.App;
import net.mignet.kernel.OrphanReaper;
import net.mignet.kernel.Criu;
import net.mignet.kernel.CriuDumpOptions;
import net.mignet.kernel.CriuEndpoint;
import net.mignet.kernel.CriuProcess;
import net.mignet.kernel.CriuRestoreOptions;
import net.mignet.kernel.CriuService;
import net.mignet.kernel.CriuRestoreOptions.InheritedTerminal;
import net.mignet.kernel.CriuTty;
import net.mignet.kernel.FileTrees;
import net.mignet.kernel.ImageTransfer;
import net.mignet.kernel.PrecopyTransfer;
import net.mignet.kernel.ProcessSockets;
import net.mignet.kernel.ProcessTree;
import net.mignet.kernel.CriuLog;
import net.mignet.kernel.PipeSizeLimit;
import net.mignet.kernel.ProcessExit;
import net.mignet.net.Host;

/**
 * Migrates an unmodified program by checkpoint and restore with CRIU: hold the service's frames at the switch,
 * let the old instance answer what already reached it, dump its process tree inside the source host, send the
 * images over the state network to the target ({@link PrecopyTransfer}: faster than criu's page server, which
 * always waits 200 ms at its end), restore it inside the target host with its terminals handed back, release the
 * held frames to it. Should the restore fail, the app is restored where it was from the same images, so it goes
 * on serving there.
 *
 * <p>With {@code --lazy} (post-copy, for apps in a pid namespace of their own) the memory pages stay behind while
 * the app is frozen and follow on demand afterwards: see {@link #migrateLazily}. An app with its own pid namespace
 * is dumped from its init, which CRIU restores into a new pid namespace, with or without {@code --lazy}.
 */
final class CheckpointStrategy implements MigrationStrategy {
    private static final Duration OLD_EXIT = Duration.ofSeconds(5);
    /** The whole memory of the app over the state network; 256 MB take about a second here. */
    private static final Duration PAGES_TIMEOUT = Duration.ofSeconds(120);
    private static final int FIRST_PAGE_PORT = 27100;
    /** The pre-copy keeps a copy of what it sent until the migration ends: beyond this, pages go at the freeze. */
    private static final long MAX_PRECOPY_BYTES = 1L << 30;
    private static final java.util.regex.Pattern ROOT_PID = java.util.regex.Pattern.compile("PID: real (\\d+) virt");
    private static final java.util.concurrent.atomic.AtomicInteger PAGE_PORTS = new java.util.concurrent.atomic
            .AtomicInteger();

    private final Criu criu;
    private final boolean lazy;
    /** Whether the app held established TCP connections when dumped; its restore must then repair them too. */
    private boolean tcpEstablished;
    /** criu's network locks in the source namespace before the dump: those it adds are this migration's. */
    private Set<String> locksBefore = Set.of();

    CheckpointStrategy(Criu criu, boolean lazy) {
        this.criu = criu;
        this.lazy = lazy;
    }

    @Override
    public String name() {
        return "checkpoint";
    }

    @Override
    public App migrate(MigrationContext ctx) throws Exception {
        App old = ctx.app();
        Host from = ctx.from();
        Host target = ctx.target();
        if (target.image().isPresent()) {
            throw new IllegalArgumentException("mignet cannot checkpoint " + old.name() + " onto " + target.name()
                    + ": that host runs on image " + target.image().get() + " in PID and mount namespaces of its own,"
                    + " and CRIU restores a process only into a PID namespace it creates itself (criu 4.2.1: \"join-ns"
                    + " pid namespace not supported\"); give it a migration recipe or mignet's handover protocol");
        }
        for (String connection : LoopbackPeers.leftBehind(old.pid())) {
            ctx.log("!!! " + old.name() + " has a connection over loopback to a process that stays on " + from.name()
                    + " (" + connection + "): on " + target.name() + " no peer answers it, so it is reset there");
        }
        // Under the emulation's own directory, so that `mignet clean` removes what a crash leaves behind.
        Path checkpoints = ctx.net().id().stateDirectory().resolve("checkpoints");
        Files.createDirectories(checkpoints);
        Path work = Files.createTempDirectory(checkpoints, old.name() + "-");
        Path dumped = work.resolve(from.name());
        Path images = work.resolve(target.name());
        // Registered first, so it runs last: a rollback may restore the app from these images first.
        ctx.onRollback("remove the checkpoint images, keeping criu's logs", () -> keepOnlyLogs(work));
        List<CriuTty> ttys = old.terminals().stream().map(t -> CriuTty.parse(t.criuKey())).distinct().toList();
        CriuService dumper = null;
        PrecopyTransfer precopy = null;
        CriuService restorer = null;
        try {
            if (!lazy) {
                // While the app still serves: criu is started on both hosts (loading it is no part of the freeze),
                // and the pages go ahead, so the freeze sends only those that changed since. Not for an app in a
                // cgroup of its own (limits): criu 4.2.1 through its RPC could not put the copy back into it ("cg:
                // Can't move ... into memory//.../app.NAME/cgroup.procs: No such file or directory"), as its
                // command line does.
                if (old.limits().isEmpty()) {
                    dumper = ctx.phase("prepare", () -> criu.startDumpService(from.namespace()));
                }
                precopy = ctx.phase("precopy", () -> precopy(ctx, images));
            } else {
                // Connected while the app still serves: the freeze then sends only the small images, without a
                // connection set-up and a receiver's start inside it. Its pages follow later through criu.
                precopy = ctx.phase("connect", () -> PrecopyTransfer.open(from.namespace(), target.namespace(),
                        ctx.route().to().toString(), images, 0));
            }
            if (old.limits().isEmpty()) {
                restorer = ctx.phase("prepare-restore", () -> criu.startService(terminals(old)));
            }
            // Frozen whole, the app answers a request it was in the middle of from its copy.
            TrafficMove traffic = ctx.holdAndDrain(true);
            CriuDumpOptions dump = dumpOptions(old, from, dumped, work, ttys);
            App restored = lazy ? migrateLazily(ctx, dump, images, work, traffic, precopy, restorer)
                    : migrateFrozen(ctx, dump, images, work, traffic, dumper, precopy, restorer);
            recordCriusOwnTimes(ctx, work);
            FileTrees.delete(work);
            return restored;
        } catch (Exception e) {
            // Said of the move, not of the dump alone: a restore or the images' transfer may be what failed.
            ctx.log("!!! moving " + old.name() + " by checkpoint failed; criu's logs are in " + work);
            throw e;
        } finally {
            if (dumper != null) {
                dumper.close();
            }
            if (precopy != null) {
                precopy.close();
            }
            if (restorer != null) {
                restorer.close();
            }
        }
    }

    /**
     * The dump of {@code old}'s tree as it is now. Open connections move too (the service address is the same on
     * both hosts); criu then locks the host's network while it dumps, which only apps that have such connections
     * pay for.
     */
    private CriuDumpOptions dumpOptions(App old, Host from, Path dumped, Path work, List<CriuTty> ttys) {
        tcpEstablished = ProcessSockets.of(old.pid()).stream()
                .anyMatch(sock -> sock.protocol().equals("tcp") && !sock.listening());
        locksBefore = tcpEstablished ? Criu.networkLocks(from.namespace()) : Set.of();
        return CriuDumpOptions.of(old.pid(), from.namespace(), dumped).withExternalTtys(ttys)
                .withShellJob(true).withTcpEstablished(tcpEstablished).withLogFile(work.resolve("dump.log"));
    }

    /** Connects the two hosts' state addresses and sends the pages a dump would contain. */
    private static PrecopyTransfer precopy(MigrationContext ctx, Path images) {
        PrecopyTransfer t = PrecopyTransfer.open(ctx.from().namespace(), ctx.target().namespace(),
                ctx.route().to().toString(), images, MAX_PRECOPY_BYTES);
        try {
            PrecopyTransfer.Precopied p = t.precopy(ProcessTree.of(ctx.app().pid()));
            ctx.log("*** Pre-copied " + p.pages() + " pages (" + p.bytes() + " bytes) of " + ctx.app().name()
                    + " to " + ctx.target().name() + " in " + p.took().toMillis() + " ms while it served");
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /**
     * Where criu's own time went, from its logs (written after the migration, not while the app is frozen): the
     * rest of a dump or restore phase is asking criu (started before the freeze) and waiting for its answer.
     */
    private static void recordCriusOwnTimes(MigrationContext ctx, Path work) {
        for (String op : List.of("dump", "restore")) {
            CriuLog.elapsed(work.resolve(op + ".log")).ifPresent(d ->
                    ctx.log("*** criu " + op + " worked " + String.format(java.util.Locale.ROOT, "%.1f",
                            d.toNanos() / 1e6) + " ms by its own log"));
        }
    }

    /** Dump (every page), copy, restore: the app is frozen until the copy runs. */
    private App migrateFrozen(MigrationContext ctx, CriuDumpOptions dump, Path images, Path work,
            TrafficMove traffic, CriuService dumper, PrecopyTransfer transfer, CriuService restorer)
            throws Exception {
        App old = ctx.app();
        Host from = ctx.from();
        Host target = ctx.target();
        long frozen = System.nanoTime();
        ctx.log("*** Checkpointing " + old.name() + " (pid " + old.pid() + ") on " + from.name());
        // The processes criu dumps; after the dump they are still there, stopped.
        Set<Long> tree = ProcessTree.of(old.pid());
        StoppedTree stopped = ctx.phase("dump", () -> {
            if (dumper != null) {
                dumper.dump(dump.withLeaveStopped(true));
            } else {
                criu.dump(dump.withLeaveStopped(true));
            }
            return StoppedTree.kill(old, tree, OLD_EXIT);
        });
        ctx.onRollback("restore " + old.name() + " on " + from.name() + " from its checkpoint", () -> {
            stopped.awaitGone(OLD_EXIT);
            // A failed copy's children took the same pids, and came to mignet when criu killed them.
            OrphanReaper.reapKilled(tree, old.pid(), OLD_EXIT);
            restoreOn(ctx, old, from, dump.imagesDir(), work.resolve("rollback-restore.log"), false, null);
        });
        Set<String> dumpLocks = dumpLocks(from);
        // Undone before the restore above (the last registered runs first): its connections must pass again.
        ctx.onRollback("lift criu's network lock on " + from.name(), () -> Criu.unlockNetwork(from.namespace(),
                dumpLocks));
        long precopied = transfer.bytesSent();
        ImageTransfer.Sent sent = ctx.phase("transfer", () -> transfer.send(dump.imagesDir()));
        ctx.stateBytes(precopied + sent.bytes());
        long[] reaped = new long[1];
        App restored = ctx.phase("restore", () -> {
            long t = System.nanoTime();
            stopped.awaitGone(OLD_EXIT); // the copy takes the same pids
            reaped[0] = System.nanoTime() - t;
            return restoreOn(ctx, old, target, images, work.resolve("restore.log"), false, restorer);
        });
        ctx.serviceGap(Duration.ofNanos(System.nanoTime() - frozen));
        ctx.phase("release", () -> ctx.held(traffic.release()));
        ctx.log("*** Sent " + sent.files() + " image files to " + target.name() + " while frozen: " + sent.bytes()
                + " bytes (the pages not pre-copied or changed since) in " + sent.took().toMillis() + " ms: "
                + transfer.lastSendBreakdown() + "; the restore waited " + String.format(java.util.Locale.ROOT,
                "%.1f", reaped[0] / 1e6) + " ms for the old tree to be reaped");
        ctx.commit();
        Criu.unlockNetwork(from.namespace(), dumpLocks);
        return restored;
    }

    /** The network locks the dump left in {@code from}'s namespace (none without established connections). */
    private Set<String> dumpLocks(Host from) {
        if (!tcpEstablished) {
            return Set.of();
        }
        Set<String> added = new java.util.TreeSet<>(Criu.networkLocks(from.namespace()));
        added.removeAll(locksBefore);
        return added;
    }

    /**
     * Post-copy: the dump writes everything but the memory pages and keeps the original frozen (in its own pid
     * namespace, so the copy can have the same pids beside it) while it serves the pages at the source's state
     * address; the copy is restored at once in the target, where criu's lazy-pages daemon fetches each page as
     * it is touched, and all the others in the background. The service is paused only for the dump without pages,
     * the copy of the small images and the restore. The migration returns once every page has arrived (the
     * "pages" phase, while the copy already serves) and the dump has retired the original, so nothing outlives
     * it. Should anything fail before the copy runs, the lazy-pages daemon and the dump are stopped, which lets
     * the original run on where it was, its memory untouched ({@link #resumeOriginal}).
     */
    private App migrateLazily(MigrationContext ctx, CriuDumpOptions dump, Path images, Path work,
            TrafficMove traffic, PrecopyTransfer transfer, CriuService restorer) throws Exception {
        App old = ctx.app();
        Host from = ctx.from();
        Host target = ctx.target();
        CriuEndpoint pages = new CriuEndpoint(ctx.route().from().toString(), nextPagePort());
        PipeSizeLimit pipes = PipeSizeLimit.raise(ctx.net().id(), PipeSizeLimit.FOR_LAZY_PAGES, ctx::log);
        CriuProcess server = null;
        CriuProcess daemon = null;
        boolean running = false;
        try {
            long frozen = System.nanoTime();
            ctx.log("*** Checkpointing " + old.name() + " (pid " + old.pid() + ") on " + from.name()
                    + " lazily, its pages served at " + pages);
            server = ctx.phase("dump", () -> criu.startLazyDump(dump.withLazyPages(pages)));
            ImageTransfer.Sent sent = ctx.phase("transfer", () -> transfer.send(dump.imagesDir()));
            ctx.stateBytes(sent.bytes());
            daemon = ctx.phase("lazy-pages", () -> criu.startLazyPagesDaemon(target.namespace(), images, pages,
                    work.resolve("lazy-pages.log")));
            // In the images directory: there criu finds the lazy-pages daemon's socket, and through its RPC it
            // writes its log only where it works.
            App restored = ctx.phase("restore", () -> restoreOn(ctx, old, target, images,
                    images.resolve("restore.log"), true, restorer));
            running = true;
            ctx.serviceGap(Duration.ofNanos(System.nanoTime() - frozen));
            ctx.phase("release", () -> ctx.held(traffic.release()));
            ctx.commit();
            CriuProcess d = daemon;
            CriuProcess s = server;
            ctx.phase("pages", () -> {
                d.awaitExit(PAGES_TIMEOUT);
                s.awaitExit(PAGES_TIMEOUT);
                // The dump has killed the original once its last page was sent; its init was ours to reap.
                if (!ProcessHandle.of(dump.pid()).map(h -> awaitEnd(h, OLD_EXIT)).orElse(true)) {
                    throw new IllegalStateException("the original of " + old.name() + " (pid " + dump.pid()
                            + ") still runs after its pages were sent");
                }
                Criu.unlockNetwork(from.namespace(), dumpLocks(from));
            });
            return restored;
        } catch (Exception e) {
            if (!running) {
                resumeOriginal(ctx, daemon, server);
            } else {
                ctx.log("!!! " + old.name() + " runs on " + target.name() + " but its pages did not all arrive: "
                        + e.getMessage());
            }
            throw e;
        } finally {
            if (daemon != null) {
                daemon.close();
            }
            if (server != null) {
                server.close();
            }
            pipes.close();
        }
    }

    /**
     * Stops the lazy-pages daemon and the lazy dump. The dump had cured its tree of criu's parasite before it began
     * to serve pages, and served them by copying, so its frozen tree is whole: when criu ends, its tracees are let
     * go and the original runs on where it was (measured: the counter goes on). The original never stopped being
     * the app, so there is nothing else to undo.
     */
    private static void resumeOriginal(MigrationContext ctx, CriuProcess daemon, CriuProcess server) {
        if (daemon != null) {
            daemon.close();
        }
        if (server != null) {
            server.close();
        }
        ctx.log("*** " + ctx.app().name() + " resumed on " + ctx.from().name()
                + (ctx.app().isRunning() ? "" : " -- no: it is gone"));
    }

    private static boolean awaitEnd(ProcessHandle h, Duration timeout) {
        try {
            h.onExit().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A port for each lazy dump's page server, so that migrations from one host do not collide. */
    private static int nextPagePort() {
        return FIRST_PAGE_PORT + Math.floorMod(PAGE_PORTS.getAndIncrement(), 1000);
    }

    /** The app's terminals, as criu hands them on: its descriptor 3 + N for the app's descriptor N. */
    private static List<InheritedTerminal> terminals(App old) {
        return old.terminals().stream()
                .map(t -> InheritedTerminal.held(3 + t.appFd(), t.mignetFd(), CriuTty.parse(t.criuKey())))
                .toList();
    }

    /**
     * Restores the checkpoint on {@code host} with the app's terminals, and adopts the copy as the app; through
     * {@code service} (a criu started ahead) when given, else by starting criu now.
     */
    private App restoreOn(MigrationContext ctx, App old, Host host, Path images, Path log, boolean lazyPages,
            CriuService service) {
        Criu.Restored r;
        try {
            CriuRestoreOptions o = CriuRestoreOptions.of(images, host.namespace()).withLogFile(log).withShellJob(true)
                    .withTerminals(terminals(old)).withLazyPages(lazyPages).withTcpEstablished(tcpEstablished);
            r = service != null ? service.restore(o) : criu.restore(o);
        } catch (RuntimeException e) {
            // Not the original's pid where it has its own pid namespace: that original may still be alive (a
            // lazy dump keeps it frozen), and waiting for it here would take its exit status from the app.
            failedCopyRoot(log).or(() -> old.hasOwnPidNamespace() ? java.util.Optional.empty()
                    : java.util.Optional.of(old.pid())).ifPresent(CheckpointStrategy::reapFailedCopy);
            throw e;
        }
        ctx.log("*** Restored " + old.name() + " on " + host.name() + " as pid " + r.pid() + " in "
                + r.took().toMillis() + " ms");
        return ctx.apps().adoptRestored(old, host, r.pid());
    }

    /** The restored root's pid as this process sees it, from criu's log ({@code PID: real R virt V}, first). */
    private static java.util.Optional<Long> failedCopyRoot(Path log) {
        try (var lines = Files.lines(log)) {
            return lines.map(ROOT_PID::matcher).filter(java.util.regex.Matcher::find).findFirst()
                    .map(m -> Long.parseLong(m.group(1)));
        } catch (IOException | UncheckedIOException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * A failed restore kills what it had restored already; restored as siblings of criu, those are the JVM's
     * children, and the root's zombie would keep the pid a second restore (the rollback) needs.
     */
    private static void reapFailedCopy(long pid) {
        java.util.concurrent.CompletableFuture<java.util.OptionalInt> reaped = new java.util.concurrent
                .CompletableFuture<>();
        Thread.ofPlatform().daemon().name("reap-" + pid).start(() -> reaped.complete(ProcessExit.await(pid)));
        try {
            reaped.get(OLD_EXIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            // Still running (not a copy criu killed) or not ours: nothing to reap.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** After a failure the logs say why; the images (the app's whole memory) go. */
    private static void keepOnlyLogs(Path dir) {
        try (var files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (Files.isDirectory(f) ? !f.equals(dir) : !f.toString().endsWith(".log")) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the images in " + dir, e);
        }
    }

}
