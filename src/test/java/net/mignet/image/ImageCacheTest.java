package net.mignet.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import net.mignet.kernel.FileTrees;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.HostImage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OCI layouts and archives unpacked into a cache of its own (a temporary directory), whiteouts applied. */
class ImageCacheTest {
    private Path work;
    private final List<String> log = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        KernelAssumptions.assumeTool("tar");
        work = Files.createTempDirectory("mignet-image-test");
    }

    @AfterEach
    void tearDown() {
        FileTrees.delete(work);
    }

    @Test
    void ociLayoutLayersApplyInOrderWithWhiteouts() throws Exception {
        Path layout = layout();
        ImageCache cache = new ImageCache(work.resolve("cache"), log::add);
        Path root = cache.rootfs(HostImage.of("oci:" + layout + ":v1"));
        assertThat(Files.readString(root.resolve("etc/os-release"))).isEqualTo("ID=test\n");
        assertThat(root.resolve("etc/removed")).doesNotExist();
        assertThat(root.resolve("opaque/old")).doesNotExist();
        assertThat(root.resolve("opaque/new")).exists();
        assertThat(root.resolve("etc/.wh.removed")).doesNotExist();
        assertThat(log).anyMatch(l -> l.contains("layer 2 of 2"));
        // Built once: the second time nothing is unpacked.
        log.clear();
        assertThat(cache.rootfs(HostImage.of("oci:" + layout + ":v1"))).isEqualTo(root);
        assertThat(log).isEmpty();
        try (var siblings = Files.list(root.getParent())) {
            assertThat(siblings.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".build-"));
        }
    }

    @Test
    void rootTarballIsUnpackedAsItIs() throws Exception {
        Path tree = Files.createDirectories(work.resolve("tree/etc"));
        Files.writeString(tree.resolve("hostname"), "x\n");
        Path tarball = work.resolve("root.tar");
        tar(work.resolve("tree"), tarball, ".");
        Path root = new ImageCache(work.resolve("cache"), log::add).rootfs(HostImage.of(tarball.toString()));
        assertThat(root.resolve("etc/hostname")).hasContent("x");
    }

    @Test
    void dockerSaveAndOciArchivesAreUnpackedLayerByLayer() throws Exception {
        // docker save: manifest.json naming the layers, bottom first.
        Path save = Files.createDirectories(work.resolve("save"));
        Path one = Files.createDirectories(work.resolve("d1/etc"));
        Files.writeString(one.resolve("a"), "1");
        Files.writeString(one.resolve("gone"), "x");
        Path two = Files.createDirectories(work.resolve("d2/etc"));
        Files.writeString(two.resolve("b"), "2");
        Files.writeString(two.resolve(".wh.gone"), "");
        Files.createDirectories(save.resolve("l1"));
        Files.createDirectories(save.resolve("l2"));
        tar(work.resolve("d1"), save.resolve("l1/layer.tar"), ".");
        tar(work.resolve("d2"), save.resolve("l2/layer.tar"), ".");
        Files.writeString(save.resolve("manifest.json"), "[{\"Config\":\"c.json\",\"RepoTags\":[\"t:1\"],"
                + "\"Layers\":[\"l1/layer.tar\",\"l2/layer.tar\"]}]");
        Path saved = work.resolve("saved.tar");
        tar(save, saved, ".");
        ImageCache cache = new ImageCache(work.resolve("cache"), log::add);
        Path root = cache.rootfs(HostImage.of(saved.toString()));
        assertThat(root.resolve("etc/a")).hasContent("1");
        assertThat(root.resolve("etc/b")).hasContent("2");
        assertThat(root.resolve("etc/gone")).doesNotExist();
        assertThat(root.resolve("manifest.json")).doesNotExist();
        // An OCI archive: the layout of the other test, as one tar.
        Path archive = work.resolve("oci.tar.gz");
        tar(layout(), archive, "-z", ".");
        Path ociRoot = cache.rootfs(HostImage.of(archive.toString()));
        assertThat(Files.readString(ociRoot.resolve("etc/os-release"))).isEqualTo("ID=test\n");
        assertThat(ociRoot.resolve("opaque/old")).doesNotExist();
        try (var entries = Files.list(work.resolve("cache"))) {
            assertThat(entries.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".build-"));
        }
    }

    @Test
    void unknownTagAndRegistryNamesSayWhatToDo() throws Exception {
        Path layout = layout();
        ImageCache cache = new ImageCache(work.resolve("cache"), log::add);
        assertThatThrownBy(() -> cache.rootfs(HostImage.of("oci:" + layout + ":v9")))
                .hasMessageContaining("no image tagged 'v9'").hasMessageContaining("v1");
        assertThatThrownBy(() -> cache.rootfs(HostImage.of("ubuntu:24.04")))
                .hasMessageContaining("no registry").hasMessageContaining("docker save");
        // A layer that is no tar archive: the unpack fails, and leaves nothing in the cache.
        Path bad = work.resolve("bad.tar");
        Files.writeString(bad, "not a tar archive");
        assertThatThrownBy(() -> cache.rootfs(HostImage.of(bad.toString()))).hasMessageContaining("tar");
        try (var entries = Files.list(work.resolve("cache"))) {
            assertThat(entries.filter(Files::isDirectory)).isEmpty();
        }
    }

    @Test
    void whiteoutsNeverLeaveTheRoot() throws Exception {
        Path root = Files.createDirectories(work.resolve("root"));
        Files.createSymbolicLink(root.resolve("lib"), Path.of("/usr/lib"));
        assertThat(LayerUnpacker.resolveInside(root, "lib/x")).isEqualTo(root.resolve("usr/lib/x"));
        assertThat(LayerUnpacker.resolveInside(root, "../../etc/passwd")).isEqualTo(root.resolve("etc/passwd"));
    }

    @Test
    void aLayerWritingThroughAnEarlierLayersLinkIsRefused() throws Exception {
        Path escape = Files.createDirectories(work.resolve("outside"));
        Path one = Files.createDirectories(work.resolve("e1"));
        Files.createSymbolicLink(one.resolve("lib"), escape.toAbsolutePath());
        Path two = Files.createDirectories(work.resolve("e2/lib"));
        Files.writeString(two.resolve("evil"), "x");
        Path root = Files.createDirectories(work.resolve("eroot"));
        Path t1 = work.resolve("e1.tar");
        Path t2 = work.resolve("e2.tar");
        tar(one, t1, ".");
        tar(work.resolve("e2"), t2, ".");
        LayerUnpacker.apply(t1, null, root);
        assertThatThrownBy(() -> LayerUnpacker.apply(t2, null, root)).hasMessageContaining("through the symbolic link");
        assertThat(escape.resolve("evil")).doesNotExist();
    }

    /** A layout whose second layer removes a file and empties a directory of the first. */
    private Path layout() throws Exception {
        Path one = Files.createDirectories(work.resolve("l1"));
        Files.createDirectories(one.resolve("etc"));
        Files.writeString(one.resolve("etc/os-release"), "ID=old\n");
        Files.writeString(one.resolve("etc/removed"), "x");
        Files.createDirectories(one.resolve("opaque"));
        Files.writeString(one.resolve("opaque/old"), "x");
        Path two = Files.createDirectories(work.resolve("l2"));
        Files.createDirectories(two.resolve("etc"));
        Files.writeString(two.resolve("etc/os-release"), "ID=test\n");
        Files.writeString(two.resolve("etc/.wh.removed"), "");
        Files.createDirectories(two.resolve("opaque"));
        Files.writeString(two.resolve("opaque/.wh..wh..opq"), "");
        Files.writeString(two.resolve("opaque/new"), "x");
        Path layout = Files.createDirectories(work.resolve("layout"));
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        Path t1 = work.resolve("l1.tar.gz");
        Path t2 = work.resolve("l2.tar");
        tar(one, t1, "-z", ".");
        tar(two, t2, ".");
        String d1 = store(blobs, Files.readAllBytes(t1));
        String d2 = store(blobs, Files.readAllBytes(t2));
        String manifest = "{\"schemaVersion\":2,\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                + "\"digest\":\"sha256:" + d1 + "\"},{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
                + "\"digest\":\"sha256:" + d2 + "\"}]}";
        String m = store(blobs, manifest.getBytes(StandardCharsets.UTF_8));
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:" + m + "\",\"annotations\":"
                + "{\"org.opencontainers.image.ref.name\":\"v1\"}}]}");
        return layout;
    }

    private static String store(Path blobs, byte[] content) throws Exception {
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        Files.write(blobs.resolve(hex), content);
        return hex;
    }

    private static void tar(Path dir, Path out, String... what) throws Exception {
        List<String> argv = new ArrayList<>(List.of("tar", "-c", "-f", out.toString(), "-C", dir.toString()));
        argv.addAll(List.of(what));
        Process p = new ProcessBuilder(argv).inheritIO().start();
        assertThat(p.waitFor()).isZero();
    }
}
