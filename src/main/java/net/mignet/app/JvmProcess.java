package net.mignet.app;

import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/** An app process started through {@link ProcessBuilder}. */
final class JvmProcess implements AppProcess {
    private final Process process;
    private final CompletableFuture<OptionalInt> exit;

    JvmProcess(Process process) {
        this.process = process;
        this.exit = process.onExit().thenApply(p -> OptionalInt.of(p.exitValue()));
    }

    Process process() {
        return process;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public CompletableFuture<OptionalInt> exit() {
        return exit;
    }

    /**
     * Through the process handle: {@link Process#destroy()} also closes the pipes, which would lose the app's
     * last words and kill it with SIGPIPE when it prints them.
     */
    @Override
    public void terminate() {
        process.toHandle().destroy();
    }

    @Override
    public void kill() {
        process.toHandle().destroyForcibly();
    }
}
