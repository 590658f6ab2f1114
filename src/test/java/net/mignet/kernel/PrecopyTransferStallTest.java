package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.mignet.testing.KernelAssumptions;
import net.mignet.testing.VethBetweenNamespaces;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A checkpoint's image transfer over a link that lets nothing through fails with the reason instead of blocking. */
class PrecopyTransferStallTest {

    @BeforeEach
    void needsRoot() {
        KernelAssumptions.assumeRoot();
    }

    @Test
    void a_cut_link_ends_the_transfer_after_the_stall_limit(@TempDir Path dir) throws Exception {
        try (VethBetweenNamespaces pair = VethBetweenNamespaces.create("stall", "10.77.0")) {
            String src = pair.namespaceA();
            String dst = pair.namespaceB();
            Path images = Files.createDirectories(dir.resolve("images"));
            // Far more than the sockets' buffers hold, so the writes block once the link is cut.
            Files.write(images.resolve("core-1.img"), new byte[64 << 20]);
            try (PrecopyTransfer t = PrecopyTransfer.open(src, dst, "10.77.0.2", dir.resolve("to"), 0,
                    Duration.ofSeconds(2))) {
                Command.check(List.of("ip", "-n", dst, "link", "set", VethBetweenNamespaces.DEVICE_B, "down"));
                long t0 = System.nanoTime();
                Throwable failure = catchThrowable(() -> t.send(images));
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                assertThat(failure).isNotNull().hasStackTraceContaining("made no progress toward " + dst
                        + " for 2 s");
                assertThat(took).isLessThan(Duration.ofSeconds(10));
            }
        }
    }
}
