package net.mignet.app;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import net.mignet.kernel.ProcessExit;

/**
 * An app process known by its pid only. A child of the JVM is reaped with waitid(2) on a platform thread of its
 * own, which yields its exit status; anything else is watched through its {@link ProcessHandle}, and its status
 * is unknown. Signals go through the handle, which checks the start time, so a pid the kernel has given to
 * another process since is never signalled.
 */
final class PidProcess implements AppProcess {
    private final long pid;
    private final Optional<ProcessHandle> handle;
    private final CompletableFuture<OptionalInt> exit = new CompletableFuture<>();

    PidProcess(long pid) {
        this.pid = pid;
        this.handle = ProcessHandle.of(pid);
        Thread.ofPlatform().daemon().name("app-exit-" + pid).start(this::watch);
    }

    private void watch() {
        try {
            OptionalInt status = ProcessExit.await(pid);
            if (status.isPresent()) {
                exit.complete(status);
                return;
            }
        } catch (RuntimeException e) {
            // Fall through to the handle, which needs no parenthood.
        }
        if (handle.isEmpty()) {
            exit.complete(OptionalInt.empty());
        } else {
            handle.get().onExit().thenRun(() -> exit.complete(OptionalInt.empty()));
        }
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public boolean isAlive() {
        return !exit.isDone();
    }

    @Override
    public CompletableFuture<OptionalInt> exit() {
        return exit;
    }

    @Override
    public void terminate() {
        if (!exit.isDone()) {
            handle.ifPresent(ProcessHandle::destroy);
        }
    }

    @Override
    public void kill() {
        if (!exit.isDone()) {
            handle.ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
