package net.mignet.kernel;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static net.mignet.kernel.NativeCalls.callState;
import static net.mignet.kernel.NativeCalls.check;
import static net.mignet.kernel.NativeCalls.downcall;
import static net.mignet.kernel.NativeCalls.rethrow;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes mignet the reaper of the processes its apps leave behind ({@code PR_SET_CHILD_SUBREAPER}), and reaps them.
 * <p>
 * Why: a process whose parent dies goes to the nearest subreaper above it, else to the machine's init, and its pid
 * stays taken until that one reaps it. When a checkpoint move kills the dumped tree, an app's children are such
 * orphans, and the restore needs their very pids. An init that reaps late (a sandbox's or container's PID 1: the
 * restore of a shell with two children waited 1.8-2.2 s for it here) or never (mignet itself as a container's
 * PID 1) made the move pause for seconds, or fail.
 * <p>
 * Only orphans are reaped here: zombie children of mignet that belong to another session than mignet's and do
 * not lead it. Every child mignet starts itself either stays in mignet's session ({@link ProcessBuilder}) or leads
 * a session of its own ({@code setsid}, {@link ChildSpawn}, an app restored by criu as mignet's child), and is
 * reaped by whoever started it (the JVM's reaper, or {@link ProcessExit}): so no exit status is taken from them.
 * An orphan that leads a session of its own ({@code setsid prog &} in an app, or an app whose mignet was killed
 * while mignet ran inside this JVM) looks like such a child, so it is reaped only once it has been a zombie for a
 * whole sweep: whoever waits for a child of its own reaps it at once.
 */
public final class OrphanReaper {
    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final int P_PID = 1;
    private static final int WEXITED = 4;
    private static final int WNOHANG = 1;
    private static final long SIGINFO_SIZE = 128;
    private static final long SI_PID = 16;
    /** Orphans of a running app are not urgent (nothing waits for their pids): one look a second. */
    private static final Duration SWEEP = Duration.ofSeconds(1);
    /** A killed process takes this long or so to be reparented and to end; polled, since no event says so. */
    private static final Duration POLL = Duration.ofMillis(1);

    private static final MethodHandle PRCTL = downcall("prctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG,
            JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle WAITID = downcall("waitid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final long SELF = ProcessHandle.current().pid();

    private static boolean started;

    private OrphanReaper() {
    }

    /** Becomes the subreaper of every process mignet starts, and reaps orphans once a second from now on. */
    public static synchronized void start() {
        if (started) {
            return;
        }
        try {
            check((int) PRCTL.invokeExact(callState(), PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L),
                    "prctl(PR_SET_CHILD_SUBREAPER)");
        } catch (Throwable t) {
            throw rethrow(t);
        }
        started = true;
        Thread.ofPlatform().daemon().name("orphan-reaper").start(() -> {
            while (true) {
                try {
                    Thread.sleep(SWEEP);
                    reapOrphans();
                    reapLingeringLeaders();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // A child that went while being looked at; the next sweep sees the rest.
                }
            }
        });
    }

    /** Reaps every zombie orphan that has come to this process now; returns how many. */
    public static int reapOrphans() {
        long ownSession = session(SELF);
        int reaped = 0;
        for (long pid : children()) {
            Stat s = Stat.of(pid);
            if (s != null && s.state() == 'Z' && s.session() != ownSession && s.session() != pid && reap(pid)) {
                reaped++;
            }
        }
        return reaped;
    }

    /** Zombie session leaders seen at the last sweep, with their start times: reaped if still there at the next. */
    private static Map<Long, Long> lingering = Map.of();

    private static void reapLingeringLeaders() {
        long ownSession = session(SELF);
        Map<Long, Long> now = new HashMap<>();
        for (long pid : children()) {
            Stat s = Stat.of(pid);
            if (s != null && s.state() == 'Z' && s.session() != ownSession && s.session() == pid) {
                if (Long.valueOf(s.started()).equals(lingering.get(pid))) {
                    reap(pid);
                } else {
                    now.put(pid, s.started());
                }
            }
        }
        lingering = now;
    }

    /**
     * Waits until each of {@code pids} (killed already), except {@code leader}, has ended and is no longer there,
     * reaping those that came to this process: their pids are then free. The leader is left to whoever started
     * it. False when one is still there after {@code timeout}.
     */
    public static boolean reapKilled(Collection<Long> pids, long leader, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        // A pid taken again by another process meanwhile is not the one killed: told apart by its start time.
        Map<Long, Long> left = new HashMap<>();
        for (long pid : pids) {
            Stat s = Stat.of(pid);
            if (pid != leader && s != null) {
                left.put(pid, s.started());
            }
        }
        while (true) {
            left.entrySet().removeIf(e -> {
                Stat s = Stat.of(e.getKey());
                if (s == null || s.started() != e.getValue()) {
                    return true;
                }
                return s.state() == 'Z' && s.parent() == SELF && reap(e.getKey());
            });
            if (left.isEmpty()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** Reaps child {@code pid} if it has ended (never blocks). */
    private static boolean reap(long pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(SIGINFO_SIZE);
            int rc = (int) WAITID.invokeExact(callState(), P_PID, (int) pid, info, WEXITED | WNOHANG);
            // si_pid stays 0 when nothing was reaped; an error (ECHILD: reaped by another) reaps nothing either.
            return rc == 0 && info.get(JAVA_INT, SI_PID) == (int) pid;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** This process's children, from every thread's list (orphans come to one of its threads). */
    private static List<Long> children() {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                for (String word : String.join(" ", ProcessSockets.lines(task.resolve("children"))).trim()
                        .split("\\s+")) {
                    if (!word.isEmpty()) {
                        out.add(Long.parseLong(word));
                    }
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list this process's threads", e);
        }
        return out;
    }

    private static long session(long pid) {
        Stat s = Stat.of(pid);
        return s == null ? -1 : s.session();
    }

    /** The fields of {@code /proc/PID/stat} used here; null when the process is gone. */
    private record Stat(char state, long parent, long session, long started) {
        static Stat of(long pid) {
            String[] f = ProcessTree.statFields(pid);
            // After the name: state, ppid, pgrp, session, ..., starttime (stat's 22nd field, the 20th here).
            return f.length > 19 ? new Stat(f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[3]),
                    Long.parseLong(f[19])) : null;
        }
    }
}
