package net.mignet.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.Test;

/**
 * Runs python/test_mignet_handover.py: the frames of the handover protocol and its failure rules (wrong
 * checksum, connection cut, no acknowledgement in time, corrupted or rejected state), played against the
 * Python example service on loopback. No namespaces, so no root needed.
 */
class PythonHandoverModuleTest {

    @Test
    void the_python_module_keeps_the_protocol_and_its_failure_rules() throws Exception {
        KernelAssumptions.assumeTool("python3");
        Process p = new ProcessBuilder("python3", "-m", "unittest", "discover", "-s", "python", "-v")
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] output;
        try {
            output = p.getInputStream().readAllBytes(); // ends when the tests end: each is bounded by 5 s waits
        } finally {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        String text = new String(output, StandardCharsets.UTF_8);
        System.out.println(text);
        assertThat(p.exitValue()).as(text).isZero();
        assertThat(text).contains("OK").doesNotContain("skipped");
    }
}
