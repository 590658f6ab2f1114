package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import net.mignet.kernel.Cleaner;
import net.mignet.kernel.EmulationId;
import net.mignet.kernel.NamespaceProcesses;
import net.mignet.kernel.NetnsPaths;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ctrl-C on a real terminal: reproduces the report of 2026-11-30, where Ctrl-C during {@code h1 ping h2} ended the
 * JVM by SIGINT and left its namespaces behind.
 */
class CtrlCTest {
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration BACK_TO_PROMPT = Duration.ofSeconds(1);
    private static final String PROMPT = "mignet> ";

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("setsid");
    }

    @Test
    void ctrl_c_stops_the_command_on_the_host_and_returns_to_the_prompt_with_the_network_intact() throws Exception {
        EmulationId id = EmulationId.fresh("ctrlc");
        try (PtySession mignet = new PtySession("run", "--topo", "single,3", "--id", id.value())) {
            assertThat(mignet.await(PROMPT, 0, START)).as("prompt; screen: %s", mignet.screen()).isTrue();

            int mark = mignet.mark();
            mignet.type("h1 echo never-run");
            assertThat(mignet.await("never-run", mark, Duration.ofSeconds(10))).isTrue();
            mark = mignet.mark();
            mignet.type("\u0003"); // at the prompt: clears the line
            assertThat(mignet.await(PROMPT, mark, Duration.ofSeconds(5))).as(mignet.screen()).isTrue();

            mark = mignet.mark();
            mignet.type("h1 ping h2\r");
            assertThat(mignet.await("bytes from", mark, Duration.ofSeconds(20))).as(mignet.screen()).isTrue();
            assertBackToPromptAfterCtrlC(mignet);

            mignet.type("h1 sleep 30\r");
            awaitProcess(id.hostNamespace("h1"), "sleep 30");
            assertBackToPromptAfterCtrlC(mignet);
            assertThat(NamespaceProcesses.in(List.of(id.hostNamespace("h1")))).as("sleep was stopped").isEmpty();

            mark = mignet.mark();
            mignet.type("pingall\r");
            assertThat(mignet.await("Results: 0% dropped (6/6 received)", mark, Duration.ofSeconds(30)))
                    .as(mignet.screen()).isTrue();
            assertThat(mignet.await(PROMPT, mark, Duration.ofSeconds(5))).isTrue();

            assertThat(mignet.screen()).as("the cleared line never ran").doesNotContain("\nnever-run");
            mignet.type("\u0004"); // Ctrl-D: leave
            assertThat(mignet.awaitExit(Duration.ofSeconds(60))).as(mignet.screen()).hasValue(0);
            assertThat(NetnsPaths.list()).noneMatch(ns -> ns.startsWith(id.namespacePrefix()));
            assertThat(id.stateDirectory()).doesNotExist();
        } finally {
            Cleaner.removeEmulation(id, line -> { });
        }
    }

    private static void assertBackToPromptAfterCtrlC(PtySession mignet) throws InterruptedException {
        int mark = mignet.mark();
        long t0 = System.nanoTime();
        mignet.type("\u0003");
        boolean back = mignet.await(PROMPT, mark, Duration.ofSeconds(10));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(back).as("back at the prompt; screen: %s", mignet.screen()).isTrue();
        System.out.printf("Ctrl-C -> prompt in %.0f ms%n", took.toNanos() / 1e6);
        assertThat(took).as("Ctrl-C to prompt").isLessThan(BACK_TO_PROMPT);
    }

    private static void awaitProcess(String namespace, String command) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (NamespaceProcesses.in(List.of(namespace)).stream().noneMatch(m -> m.command().contains(command))) {
            assertThat(System.nanoTime()).as("'%s' started in %s", command, namespace).isLessThan(deadline);
            Thread.sleep(10); // polling /proc: there is nothing to be told by
        }
    }
}
