package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.Test;

/** Spawning with chosen descriptors, waiting with waitid, terminals: no namespace needed. */
class ChildSpawnTest {
    private static final Map<String, String> ENV = Map.of("PATH", System.getenv("PATH"));

    @Test
    void a_child_gets_exactly_the_descriptors_given_and_its_status_is_known() {
        KernelAssumptions.assumeTool("python3");
        try (PseudoTerminal terminal = PseudoTerminal.open(PseudoTerminal.Use.OUTPUT); Arena arena = Arena.ofConfined()) {
            int slave = terminal.slaveFd();
            long pid = ChildSpawn.spawn(List.of("python3", "-c", """
                    import os, sys
                    alive = sorted(int(f) for f in os.listdir("/proc/self/fd") if os.path.exists("/proc/self/fd/" + f))
                    os.write(3, ("fds %s tty %s\\n" % (alive, os.isatty(3))).encode())
                    sys.exit(5)
                    """), ENV, slave, slave, slave, slave);
            assertThat(ProcessExit.await(pid)).isEqualTo(OptionalInt.of(5));
            MemorySegment buffer = arena.allocate(4096);
            long n = terminal.read(buffer);
            String text = new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            assertThat(text).isEqualTo("fds [0, 1, 2, 3] tty True\n");
        }
    }

    @Test
    void a_signal_shows_as_128_plus_its_number_and_a_stranger_cannot_be_waited_for() {
        long pid = ChildSpawn.spawn(List.of("sleep", "30"), ENV);
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        assertThat(ProcessExit.await(pid)).isEqualTo(OptionalInt.of(128 + 9));
        assertThat(ProcessExit.await(1)).as("init is not our child").isEmpty();
    }

    @Test
    void a_missing_program_is_reported_by_name() {
        assertThatThrownBy(() -> ChildSpawn.spawn(List.of("no-such-program-here"), ENV))
                .hasMessageContaining("no-such-program-here").hasMessageContaining("No such file");
    }
}
