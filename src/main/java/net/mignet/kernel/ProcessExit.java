package net.mignet.kernel;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static net.mignet.kernel.NativeCalls.callState;
import static net.mignet.kernel.NativeCalls.check;
import static net.mignet.kernel.NativeCalls.downcall;
import static net.mignet.kernel.NativeCalls.rethrow;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.OptionalInt;

/**
 * Waits for a child process of the JVM that no {@link Process} stands for (one started by {@link ChildSpawn},
 * or restored by {@code criu restore --restore-sibling}) with {@code waitid(2)}, and reaps it. The JVM's own
 * reaper waits only for the pids of its {@link Process}es, so the two never take each other's children.
 */
public final class ProcessExit {
    private static final int P_PID = 1;
    private static final int WEXITED = 4;
    private static final int EINTR = 4;
    private static final int ECHILD = 10;
    private static final int CLD_EXITED = 1;
    private static final long SIGINFO_SIZE = 128;
    private static final long SI_CODE = 8;
    private static final long SI_STATUS = 24;

    private static final MethodHandle WAITID = downcall("waitid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));

    private ProcessExit() {
    }

    /**
     * Blocks (use a platform thread) until child {@code pid} ends, and returns its status: the exit code, or
     * 128 + the signal number that ended it (the shell's convention). Empty when {@code pid} is not a child of
     * this process (ECHILD), which then cannot be waited for this way.
     */
    public static OptionalInt await(long pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(SIGINFO_SIZE);
            while (true) {
                int rc = (int) WAITID.invokeExact(callState(), P_PID, (int) pid, info, WEXITED);
                if (rc == 0) {
                    int code = info.get(JAVA_INT, SI_CODE);
                    int status = info.get(JAVA_INT, SI_STATUS);
                    return OptionalInt.of(code == CLD_EXITED ? status : 128 + status);
                }
                int errno = NativeCalls.errno();
                if (errno == ECHILD) {
                    return OptionalInt.empty();
                }
                if (errno != EINTR) {
                    check(rc, "waitid for pid " + pid);
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
