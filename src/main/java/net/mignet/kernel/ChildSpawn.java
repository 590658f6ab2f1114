package net.mignet.kernel;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static net.mignet.kernel.NativeCalls.callState;
import static net.mignet.kernel.NativeCalls.check;
import static net.mignet.kernel.NativeCalls.downcall;
import static net.mignet.kernel.NativeCalls.rethrow;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Map;

/**
 * Starts a program with {@code posix_spawnp(3)} and exactly the descriptors given, for what
 * {@link ProcessBuilder} cannot do: hand a child descriptors mignet opened itself (a terminal's slave opened
 * with {@code O_NOCTTY}; {@code ProcessBuilder.Redirect.to} would reopen the terminal by path in the JVM
 * without it, and a JVM that leads its session would take the terminal as its controlling terminal).
 *
 * <p>The child gets {@code stdio[i]} as descriptor {@code i} (any number of them, e.g. a terminal's slave as
 * descriptor 3 of a {@code criu restore --inherit-fd fd[3]:tty[...]}) and no other descriptor of mignet's, its own
 * process group (or, in another network namespace, its own session), default signal handling and an empty signal
 * mask. Being our child, it is waited
 * for with {@link ProcessExit}; the JVM's own reaper only waits for the pids of its {@link Process}es.
 */
public final class ChildSpawn {
    private static final short POSIX_SPAWN_SETPGROUP = 0x02;
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final short POSIX_SPAWN_SETSID = 0x80;
    /** glibc's structures are 80 and 336 bytes; more is harmless. */
    private static final long FILE_ACTIONS_SIZE = 256;
    private static final long ATTR_SIZE = 512;
    private static final long SIGSET_SIZE = 128;

    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final MethodHandle FCNTL = downcall("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SPAWNP = downcall("posix_spawnp",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle ACTIONS_INIT = downcall("posix_spawn_file_actions_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ACTIONS_DESTROY = downcall("posix_spawn_file_actions_destroy",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ADD_DUP2 = downcall("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle ADD_CLOSEFROM = downcall("posix_spawn_file_actions_addclosefrom_np",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle ATTR_INIT = downcall("posix_spawnattr_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_DESTROY = downcall("posix_spawnattr_destroy",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ATTR_SETFLAGS = downcall("posix_spawnattr_setflags",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    private static final MethodHandle ATTR_SETPGROUP = downcall("posix_spawnattr_setpgroup",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle ATTR_SETSIGDEFAULT = downcall("posix_spawnattr_setsigdefault",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle ATTR_SETSIGMASK = downcall("posix_spawnattr_setsigmask",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SIGFILLSET = downcall("sigfillset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SIGEMPTYSET = downcall("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    private ChildSpawn() {
    }

    /**
     * Starts {@code argv} (the program looked up in {@code PATH}) in the network namespace {@code namespace},
     * entered by the spawning thread only, so the child is born inside it: no mount namespace of its own, and
     * no moment in which it lives elsewhere. Returns its pid.
     *
     * <p>The child leads a session of its own: CRIU refuses to dump a process whose session leader lies outside
     * its pid namespace, and mignet's own session leader does whenever mignet was started from outside the pid
     * namespace it runs in (a container, a CI runner, {@code nsenter}). An app that reopens its terminal by path
     * then takes it as its controlling terminal, as a login shell would; it can never take mignet's.
     */
    public static long inNetworkNamespace(String namespace, List<String> argv, Map<String, String> environment,
            int... stdio) {
        return NamespaceThread.call(namespace, () -> spawn(argv, environment, true, stdio));
    }

    /** Starts {@code argv} in the calling thread's namespaces; returns its pid. */
    public static long spawn(List<String> argv, Map<String, String> environment, int... stdio) {
        return spawn(argv, environment, false, stdio);
    }

    /**
     * Like {@link #spawn(List, Map, int...)}; with {@code newSession} the child leads a session of its own instead
     * of a process group (for a pid namespace's init, whose session must lie inside its namespace for CRIU; it
     * must then never open a terminal by path, which would become its controlling terminal).
     */
    static long spawn(List<String> argv, Map<String, String> environment, boolean newSession, int... stdio) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("no command given");
        }
        // A descriptor below stdio.length could be overwritten by an earlier copy into place before its own copy
        // is made: hand on duplicates above that range instead (close-on-exec, closed again below).
        int[] sources = stdio.clone();
        List<Integer> duplicates = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < sources.length; i++) {
                if (sources[i] < stdio.length) {
                    sources[i] = duplicateAbove(sources[i], stdio.length);
                    duplicates.add(sources[i]);
                }
            }
            return spawnExactly(argv, environment, newSession, sources);
        } finally {
            duplicates.forEach(NativeCalls::close);
        }
    }

    private static int duplicateAbove(int fd, int lowest) {
        try {
            return check((int) FCNTL.invokeExact(callState(), fd, F_DUPFD_CLOEXEC, lowest), "fcntl F_DUPFD_CLOEXEC");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static long spawnExactly(List<String> argv, Map<String, String> environment, boolean newSession,
            int[] stdio) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(FILE_ACTIONS_SIZE);
            MemorySegment attr = arena.allocate(ATTR_SIZE);
            spawnCheck((int) ACTIONS_INIT.invokeExact(callState(), actions), "posix_spawn_file_actions_init");
            spawnCheck((int) ATTR_INIT.invokeExact(callState(), attr), "posix_spawnattr_init");
            try {
                for (int i = 0; i < stdio.length; i++) {
                    // dup2 clears close-on-exec on the copy, even when both numbers are the same.
                    spawnCheck((int) ADD_DUP2.invokeExact(callState(), actions, stdio[i], i), "adddup2");
                }
                spawnCheck((int) ADD_CLOSEFROM.invokeExact(callState(), actions, stdio.length), "addclosefrom_np");
                MemorySegment allSignals = arena.allocate(SIGSET_SIZE);
                MemorySegment noSignals = arena.allocate(SIGSET_SIZE);
                check((int) SIGFILLSET.invokeExact(callState(), allSignals), "sigfillset");
                check((int) SIGEMPTYSET.invokeExact(callState(), noSignals), "sigemptyset");
                spawnCheck((int) ATTR_SETSIGDEFAULT.invokeExact(callState(), attr, allSignals), "setsigdefault");
                spawnCheck((int) ATTR_SETSIGMASK.invokeExact(callState(), attr, noSignals), "setsigmask");
                spawnCheck((int) ATTR_SETPGROUP.invokeExact(callState(), attr, 0), "setpgroup");
                short group = newSession ? POSIX_SPAWN_SETSID : POSIX_SPAWN_SETPGROUP;
                spawnCheck((int) ATTR_SETFLAGS.invokeExact(callState(), attr,
                        (short) (group | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)), "setflags");
                MemorySegment pid = arena.allocate(JAVA_INT);
                int rc = (int) SPAWNP.invokeExact(callState(), pid, arena.allocateFrom(argv.getFirst()), actions, attr,
                        strings(arena, argv), strings(arena, environment.entrySet().stream()
                                .map(e -> e.getKey() + "=" + e.getValue()).toList()));
                if (rc != 0) {
                    throw new IllegalStateException("cannot start " + argv.getFirst() + ": "
                            + NativeCalls.strerror(rc) + (rc == 2 ? " (is it installed and on the PATH?)" : ""));
                }
                return pid.get(JAVA_INT, 0);
            } finally {
                int ignored = (int) ACTIONS_DESTROY.invokeExact(callState(), actions);
                ignored = (int) ATTR_DESTROY.invokeExact(callState(), attr);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A NULL-terminated array of C strings. */
    private static MemorySegment strings(Arena arena, List<String> values) {
        MemorySegment array = arena.allocate(ADDRESS, values.size() + 1L);
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(values.get(i)));
        }
        array.setAtIndex(ADDRESS, values.size(), MemorySegment.NULL);
        return array;
    }

    /** The posix_spawn family returns the error number instead of setting errno. */
    private static void spawnCheck(int rc, String what) {
        if (rc != 0) {
            throw new NativeCalls.NativeException(what, rc, NativeCalls.strerror(rc));
        }
    }
}
