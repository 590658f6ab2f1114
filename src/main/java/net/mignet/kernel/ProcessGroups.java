package net.mignet.kernel;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/** Signals a whole process group, i.e. a command with everything it started that did not leave the group. */
public final class ProcessGroups {
    public static final int SIGINT = 2;
    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;
    private static final int ESRCH = 3;
    private static final MethodHandle KILL = NativeCalls.downcall("kill",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private ProcessGroups() {
    }

    /** Sends {@code signal} to process group {@code pgid}; false when the group has no member (any more). */
    public static boolean signal(long pgid, int signal) {
        if (pgid <= 1 || pgid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("refusing to signal process group " + pgid);
        }
        try {
            int rc = (int) KILL.invokeExact(NativeCalls.callState(), (int) -pgid, signal);
            if (rc < 0 && NativeCalls.errno() == ESRCH) {
                return false;
            }
            NativeCalls.check(rc, "kill(-" + pgid + ", " + signal + ")");
            return true;
        } catch (Throwable t) {
            throw NativeCalls.rethrow(t);
        }
    }
}
