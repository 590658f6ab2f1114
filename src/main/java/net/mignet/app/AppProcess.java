package net.mignet.app;

import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * The process an {@link App} stands for, whoever started it: a {@link Process} of the JVM's, a child spawned
 * directly, or a process adopted by pid (restored by CRIU, so the JVM is its parent but no {@link Process}
 * knows it).
 */
public interface AppProcess {
    long pid();

    boolean isAlive();

    /**
     * Completes when the process has ended, with its exit status (the exit code, or 128 + the signal number);
     * empty when the status cannot be known (the process was not our child).
     */
    CompletableFuture<OptionalInt> exit();

    /** SIGTERM; nothing once the process has ended. */
    void terminate();

    /** SIGKILL; nothing once the process has ended. */
    void kill();

    static AppProcess of(Process process) {
        return new JvmProcess(process);
    }

    /** A process by pid: a child of ours is waited for with waitid(2), any other through its handle. */
    static AppProcess adopt(long pid) {
        return new PidProcess(pid);
    }
}
