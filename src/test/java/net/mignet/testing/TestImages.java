package net.mignet.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import net.mignet.image.BuildFailure;
import net.mignet.image.ImageCache;
import net.mignet.kernel.HostSandbox;
import net.mignet.topo.HostImage;

/**
 * The Debian 13 image the container tests share: built once per machine (the cache keeps it; about 20-40 s the
 * first time), so the tests that need it skip with the reason where it cannot be built.
 */
public final class TestImages {
    public static final HostImage DEBIAN_13 = HostImage.of("debian:13");
    private static volatile Path built;
    private static volatile String unavailable;

    private TestImages() {
    }

    /** Skips the test (reason printed) unless image hosts work here; returns the image's root. */
    public static synchronized Path assumeDebian13() {
        KernelAssumptions.assumeRoot();
        String reason = HostSandbox.unavailableReason().orElse(null);
        if (reason != null) {
            System.err.println("SKIPPED: " + reason);
            assumeTrue(false, reason);
        }
        if (built == null && unavailable == null) {
            KernelAssumptions.assumeTool("mmdebstrap");
            try {
                built = ImageCache.system(System.err::println).rootfs(DEBIAN_13);
            } catch (BuildFailure e) {
                unavailable = "cannot build the debian:13 image: " + e.getMessage();
            }
        }
        if (unavailable != null) {
            System.err.println("SKIPPED: " + unavailable);
            assumeTrue(false, unavailable);
        }
        return built;
    }
}
