package net.mignet.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts a program in a PID namespace of its own, under {@code tini} as the namespace's init (its pid 1).
 *
 * <p>Why an init: pid 1 of a namespace ignores every signal it has no handler for (SIGKILL and SIGSTOP from
 * outside aside), so a plain {@code sleep} or Python program started as pid 1 would never end on SIGTERM.
 * {@code tini -g} forwards every signal it gets to the program's process group, reaps orphans, and exits with the
 * program's status (its exit code, or 128 + the signal that ended it), so signalling and waiting for the init is
 * the same as for the program itself. When the init ends the kernel kills whatever is left in its namespace.
 *
 * <p>Why a namespace: CRIU restores such a tree into a new PID namespace, with the same pids inside and fresh
 * ones outside, so a copy can run beside its frozen original on the same machine (post-copy keeps the original
 * until every page has been fetched). Only the PID namespace is new: the file system (mount namespace) stays the
 * machine's, as CRIU needs, and the network namespace is the host's.
 *
 * <p>The init leads a session of its own, inside its namespace (CRIU wants the tree's session there), without a
 * controlling terminal: tini opens no terminal, and the program it starts is no session leader, so neither can
 * acquire one.
 */
public final class PidNamespaceInit {
    public static final String INIT = "tini";
    private static final int CLONE_NEWPID = 0x20000000;

    private PidNamespaceInit() {
    }

    /** Where {@code tini} is on the {@code PATH}, if installed. */
    public static Optional<Path> installed() {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, INIT);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The init's argument vector for {@code program}. */
    public static List<String> argv(List<String> program) {
        List<String> argv = new ArrayList<>(List.of(INIT, "-g", "--"));
        argv.addAll(program);
        return argv;
    }

    /**
     * Starts {@code program} under its init in a new PID namespace inside the network namespace {@code namespace},
     * with {@code stdio[i]} as descriptor {@code i} (as {@link ChildSpawn}); returns the init's pid as this
     * process sees it. The init is this process's child, waited for with {@link ProcessExit}.
     */
    public static long spawn(String namespace, List<String> program, Map<String, String> environment,
            int... stdio) {
        return spawn(namespace, null, program, environment, stdio);
    }

    /** As above, born in {@code cgroup} (a host's; null: none) where cgroup v1 allows, else moved in at once. */
    public static long spawn(String namespace, HostCgroup cgroup, List<String> program,
            Map<String, String> environment, int... stdio) {
        if (program.isEmpty()) {
            throw new IllegalArgumentException("no command given");
        }
        if (installed().isEmpty()) {
            throw new IllegalStateException("an app with its own pid namespace runs under '" + INIT + "' as its init,"
                    + " which is not installed: install the Debian package tini (scripts/lib.sh does), or deploy"
                    + " without the pid namespace option");
        }
        // A fresh thread each time (NamespaceThread.call makes one): unshare(CLONE_NEWPID) changes the namespace
        // of that thread's next child only, and a namespace whose init has been started takes no second init.
        boolean[] born = {false};
        long pid = NamespaceThread.call(namespace, () -> {
            born[0] = cgroup != null && cgroup.joinThread();
            Libc.unshare(CLONE_NEWPID);
            return ChildSpawn.spawn(argv(program), environment, true, stdio);
        });
        if (cgroup != null && !born[0]) {
            cgroup.add(pid);
        }
        awaitProgram(pid);
        return pid;
    }

    /**
     * Returns once the init has forked its program (or has ended): the init is running when spawn returns, but its
     * child is not yet, and whoever looks for the program right after the start ({@link #programOf}) would find
     * none. The kernel tells nobody about a fork, so this looks every 0.2 ms, for at most 2 s (an init that has
     * not forked by then is stuck; its program is then looked for later, as before).
     */
    private static void awaitProgram(long initPid) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (programOf(initPid).isEmpty() && !ProcessTree.ended(initPid) && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
    }

    /**
     * The pid of the init's program, as this process sees it: the init's oldest child (orphans of the program
     * become the init's children too, later); empty when it has none (the program ended, or has not started yet).
     */
    public static Optional<Long> programOf(long initPid) {
        return ProcessHandle.of(initPid).flatMap(h -> h.children().min(java.util.Comparator.comparing(
                (ProcessHandle c) -> c.info().startInstant().orElse(java.time.Instant.MAX))
                .thenComparingLong(ProcessHandle::pid))).map(ProcessHandle::pid);
    }
}
