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

    /**
     * A one-layer OCI image layout under {@code work} holding only the machine's static {@code catatonit} as
     * {@code /bin/catatonit}: a root that is no Debian, made without mmdebstrap. Its tar is reproducible (fixed
     * times and owners), so its cache entry is the same every run.
     */
    public static String catatonitLayout(Path work) throws Exception {
        Path tree = java.nio.file.Files.createDirectories(work.resolve("tree/bin"));
        java.nio.file.Files.copy(Path.of("/usr/bin/catatonit"), tree.resolve("catatonit"));
        Path layout = java.nio.file.Files.createDirectories(work.resolve("layout/blobs/sha256")).getParent()
                .getParent();
        Path layer = work.resolve("layer.tar");
        Process tar = new ProcessBuilder("tar", "-c", "-f", layer.toString(), "--sort=name", "--mtime=@0",
                "--owner=0", "--group=0", "--numeric-owner", "-C", work.resolve("tree").toString(), ".")
                .inheritIO().start();
        if (tar.waitFor() != 0) {
            throw new IllegalStateException("tar failed");
        }
        String layerDigest = store(layout, java.nio.file.Files.readAllBytes(layer));
        String manifest = "{\"schemaVersion\":2,\"layers\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:" + layerDigest + "\"}]}";
        String manifestDigest = store(layout, manifest.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        java.nio.file.Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        java.nio.file.Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{"
                + "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:"
                + manifestDigest + "\",\"annotations\":{\"org.opencontainers.image.ref.name\":\"static\"}}]}");
        return "oci:" + layout + ":static";
    }

    private static String store(Path layout, byte[] content) throws Exception {
        String hex = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(content));
        java.nio.file.Files.write(layout.resolve("blobs/sha256").resolve(hex), content);
        return hex;
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
