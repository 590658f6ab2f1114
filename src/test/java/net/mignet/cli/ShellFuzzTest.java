package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 2 000 hostile shell lines against a running emulation. Reproduces the reports of 2026-11-30: {@code logs srv -5},
 * {@code logs srv abc}, {@code migrate srv h1 extra words} and a 200 KB command line showed raw exception text or a
 * trace; {@code nodes extra} and {@code pingall extra} were accepted silently.
 */
class ShellFuzzTest {
    private static final long SEED = 20261130L;

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
    }

    @Test
    @Timeout(900)
    void two_thousand_hostile_lines_leave_no_trace_no_hang_and_a_working_network() throws Exception {
        ShellFuzz.Result r = ShellFuzz.run(2_000, SEED, System.out);
        System.out.printf("shell fuzz: %d lines in %.1f s, %d stopped like Ctrl-C, %d problems%n", r.lines(),
                r.took().toMillis() / 1000.0, r.stopped(), r.problems().size());
        assertThat(r.problems()).as("lines that showed a trace, an internal error or hung").isEmpty();
        assertThat(r.pingall()).contains("Results: 0% dropped");
        assertThat(r.namespacesUp()).as("the emulation's namespaces once up").isPositive();
        assertThat(r.namespacesAfterFuzzing()).as("its namespaces after fuzzing").isEqualTo(r.namespacesUp());
        assertThat(r.namespacesLeft()).as("its namespaces left after teardown").isZero();
    }
}
