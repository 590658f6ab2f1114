package net.mignet.migrate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import net.mignet.app.App;
import net.mignet.kernel.Criu;
import net.mignet.kernel.CriuDumpOptions;
import net.mignet.kernel.CriuRestoreOptions;
import net.mignet.kernel.CriuRestoreOptions.InheritedTerminal;
import net.mignet.kernel.CriuTty;
import net.mignet.kernel.ImageTransfer;
import net.mignet.kernel.ProcessExit;
import net.mignet.net.Host;

/**
 * Migrates an unmodified program by checkpoint and restore with CRIU: hold the service's frames at the switch,
 * let the old instance answer what already reached it, dump its process tree inside the source host, send the
 * images over the state network to the target ({@link ImageTransfer}: faster than criu's page server, which
 * always waits 200 ms at its end), restore it inside the target host with its terminals handed back, release the
 * held frames to it. Should the restore fail, the app is restored where it was from the same images, so it goes
 * on serving there.
 */
final class CheckpointStrategy implements MigrationStrategy {
    private static final Path WORK = Path.of("/run/mignet/checkpoints");
    private static final Duration OLD_EXIT = Duration.ofSeconds(5);

    private final Criu criu;

    CheckpointStrategy(Criu criu) {
        this.criu = criu;
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
        Files.createDirectories(WORK);
        Path work = Files.createTempDirectory(WORK, old.name() + "-");
        Path dumped = work.resolve(from.name());
        Path images = work.resolve(target.name());
        // Registered first, so it runs last: a rollback may restore the app from these images first.
        ctx.onRollback("remove the checkpoint images, keeping criu's logs", () -> keepOnlyLogs(work));
        try {
            TrafficMove traffic = ctx.traffic();
            ctx.disturbed();
            ctx.phase("hold", () -> {
                traffic.hold();
                ctx.onRollback("send the held frames back to " + from.name(), () -> ctx.held(traffic.restore()));
            });
            ctx.phase("drain", () -> ServiceDrain.await(old, RecipeStrategy.Drain.inFlight(ctx),
                    ctx.options().drainTimeout()));
            List<CriuTty> ttys = old.terminals().stream().map(t -> CriuTty.parse(t.criuKey())).distinct().toList();
            long frozen = System.nanoTime();
            ctx.log("*** Checkpointing " + old.name() + " (pid " + old.pid() + ") on " + from.name());
            ctx.phase("dump", () -> {
                criu.dump(CriuDumpOptions.of(old.pid(), from.namespace(), dumped).withExternalTtys(ttys)
                        .withShellJob(true).withLogFile(work.resolve("dump.log")));
                // criu killed the old process; reaping it frees its pid for the copy.
                if (!old.awaitExit(OLD_EXIT)) {
                    throw new IllegalStateException(old.name() + " still runs after criu dumped it");
                }
            });
            ctx.onRollback("restore " + old.name() + " on " + from.name() + " from its checkpoint",
                    () -> restoreOn(ctx, old, from, dumped, work.resolve("rollback-restore.log")));
            ImageTransfer.Sent sent = ctx.phase("transfer", () -> ImageTransfer.copy(dumped, from.namespace(), images,
                    target.namespace(), ctx.route().to().toString()));
            ctx.stateBytes(sent.bytes());
            App restored = ctx.phase("restore", () -> restoreOn(ctx, old, target, images,
                    work.resolve("restore.log")));
            ctx.serviceGap(Duration.ofNanos(System.nanoTime() - frozen));
            ctx.phase("release", () -> ctx.held(traffic.release()));
            ctx.commit();
            deleteTree(work);
            return restored;
        } catch (Exception e) {
            ctx.log("!!! checkpoint of " + old.name() + " failed; criu's logs are in " + work);
            throw e;
        }
    }

    /** Restores the checkpoint on {@code host} with the app's terminals, and adopts the copy as the app. */
    private App restoreOn(MigrationContext ctx, App old, Host host, Path images, Path log) {
        List<InheritedTerminal> terminals = old.terminals().stream()
                .map(t -> InheritedTerminal.held(3 + t.appFd(), t.mignetFd(), CriuTty.parse(t.criuKey())))
                .toList();
        Criu.Restored r;
        try {
            r = criu.restore(CriuRestoreOptions.of(images, host.namespace()).withLogFile(log).withShellJob(true)
                    .withTerminals(terminals));
        } catch (RuntimeException e) {
            reapFailedCopy(old.pid());
            throw e;
        }
        ctx.log("*** Restored " + old.name() + " on " + host.name() + " as pid " + r.pid() + " in "
                + r.took().toMillis() + " ms");
        return ctx.apps().adoptRestored(old, host, r.pid());
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

    private static void deleteTree(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir, e);
        }
    }
}
