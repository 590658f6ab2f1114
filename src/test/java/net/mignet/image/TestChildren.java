package net.mignet.image;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static net.mignet.kernel.NativeCalls.callState;
import static net.mignet.kernel.NativeCalls.downcall;
import static net.mignet.kernel.NativeCalls.rethrow;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Ends a restored process for the tests. criu restores it as the JVM's child ({@code --restore-sibling}) but no
 * {@link Process} stands for it, so it is killed and reaped by pid.
 */
final class TestChildren {
    private static final int SIGKILL = 9;
    private static final MethodHandle KILL = downcall("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle WAITPID = downcall("waitpid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));

    private TestChildren() {
    }

    static void killAndReap(long pid) {
        try {
            int rc = (int) KILL.invokeExact(callState(), (int) pid, SIGKILL);
            if (rc == 0) {
                int waited = (int) WAITPID.invokeExact(callState(), (int) pid, MemorySegment.NULL, 0);
                assert waited == pid || waited == -1; // -1: not our child (restored without --restore-sibling)
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
