package net.mignet.kernel;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/** Sends any signal to a process: {@link ProcessHandle} only knows SIGTERM and SIGKILL. */
public final class Signals {
    private static final int ESRCH = 3;
    private static final MethodHandle KILL = NativeCalls.downcall("kill",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private Signals() {
    }

    /** Sends signal {@code number} to {@code pid}; returns false when there is no such process (any more). */
    public static boolean send(long pid, int number) {
        if (pid <= 1 || pid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("refusing to signal pid " + pid);
        }
        try {
            int rc = (int) KILL.invokeExact(NativeCalls.callState(), (int) pid, number);
            if (rc < 0 && NativeCalls.errno() == ESRCH) {
                return false;
            }
            NativeCalls.check(rc, "kill(" + pid + ", " + number + ")");
            return true;
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
    }
}
