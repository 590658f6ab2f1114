package net.mignet.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import net.mignet.kernel.FileTrees;
import net.mignet.topo.HostImage;

/**
 * Root file systems of images, each made once and kept under {@code /var/cache/mignet/images/} by content: a
 * Debian image by its suite and sorted package list, an OCI image by its manifest's digest, an archive by the
 * SHA-256 of its bytes. Hosts use a cached root read-only, as the shared lower layer of their overlay.
 */
public final class ImageCache {
    public static final Path DEFAULT_ROOT = Path.of("/var/cache/mignet/images");
    /** Archive digests by path, size and modification time: hashing a large archive at every start costs seconds. */
    private static final Map<String, String> ARCHIVE_DIGESTS = new ConcurrentHashMap<>();

    private final Path root;
    private final Consumer<String> log;

    public ImageCache(Path root, Consumer<String> log) {
        this.root = root;
        this.log = log;
    }

    /** The machine's cache. */
    public static ImageCache system(Consumer<String> log) {
        return new ImageCache(DEFAULT_ROOT, log);
    }

    public Path root() {
        return root;
    }

    /** The root file system of {@code image}, built or unpacked now unless the cache has it. */
    public Path rootfs(HostImage image) throws BuildFailure {
        ImageSource source = ImageSource.of(image);
        return switch (source) {
            case ImageSource.Debian d -> buildDebian(image, d);
            case ImageSource.OciLayout o -> unpackLayout(image, o);
            case ImageSource.Archive a -> unpackArchive(image, a);
            case ImageSource.Registry r -> throw new BuildFailure("image '" + r.name() + "' names a registry image,"
                    + " and mignet pulls from no registry (none is reachable from these machines). Where Docker or"
                    + " skopeo can reach one, save it to a file and name that: 'docker save " + r.name()
                    + " -o img.tar' then image: img.tar, or 'skopeo copy docker://" + r.name()
                    + " oci:img:latest' then image: oci:img:latest. Debian images mignet builds itself:"
                    + " image: debian:13");
        };
    }

    /** Where {@code image}'s root is (or would be) cached, without building anything. */
    public Path location(HostImage image) throws BuildFailure {
        return switch (ImageSource.of(image)) {
            case ImageSource.Debian d -> root.resolve(debianName(d));
            case ImageSource.OciLayout o -> root.resolve("oci-" + shortDigest(OciLayout.read(o.dir(), o.tag()).digest()));
            case ImageSource.Archive a -> root.resolve("archive-" + shortDigest(archiveDigest(a.file())));
            case ImageSource.Registry r -> throw new BuildFailure("image '" + r.name() + "' names a registry image");
        };
    }

    private static String debianName(ImageSource.Debian d) {
        return "debian-" + d.suite() + "-" + shortDigest(sha256(("debian\n" + d.suite() + "\n"
                + String.join("\n", d.packages()) + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    private Path buildDebian(HostImage image, ImageSource.Debian d) throws BuildFailure {
        Path dir = root.resolve(debianName(d));
        String what = "image " + image;
        return OnceBuiltDirectory.ensure(dir, what, log, scratch -> {
            String mirror = AptMirror.ofMachine().orElseThrow(() -> new BuildFailure("cannot build " + image
                    + ": this machine's apt sources (" + AptMirror.APT_DIR + ") name no Debian mirror to build from"));
            log.accept(what + ": building with mmdebstrap from " + mirror + " (Debian " + d.suite()
                    + ", essential packages and " + String.join(", ", d.packages()) + "; about 20-40 s, once)");
            long t0 = System.nanoTime();
            List<String> lines = Mmdebstrap.build("essential", d.suite(), d.packages(), scratch, mirror, what, log);
            if (!Files.isRegularFile(scratch.resolve("etc/os-release"))
                    || !Files.exists(scratch.resolve("usr/bin/ps"))) {
                throw new BuildFailure("mmdebstrap did not build " + image + " (is '" + d.suite() + "' a suite the"
                        + " mirror " + mirror + " serves, and are the packages in it?); its last lines:\n"
                        + Mmdebstrap.tail(lines));
            }
            log.accept(String.format("%s: ready in %.1f s at %s", what, (System.nanoTime() - t0) / 1e9, dir));
        });
    }

    private Path unpackLayout(HostImage image, ImageSource.OciLayout o) throws BuildFailure {
        OciLayout.Image img = OciLayout.read(o.dir(), o.tag());
        Path dir = root.resolve("oci-" + shortDigest(img.digest()));
        return OnceBuiltDirectory.ensure(dir, "image " + image, log, scratch -> unpackLayers(image, img, scratch));
    }

    private void unpackLayers(HostImage image, OciLayout.Image img, Path target) throws BuildFailure {
        int n = 0;
        for (OciLayout.Layer layer : img.layers()) {
            log.accept("image " + image + ": layer " + (++n) + " of " + img.layers().size() + " ("
                    + size(layer.file()) + ")");
            LayerUnpacker.apply(layer.file(), layer.mediaType(), target);
        }
    }

    private Path unpackArchive(HostImage image, ImageSource.Archive a) throws BuildFailure {
        if (!Files.isRegularFile(a.file())) {
            throw new BuildFailure("image " + a.file() + " is no file; name a docker save / OCI archive or a root file"
                    + " system tarball");
        }
        Path dir = root.resolve("archive-" + shortDigest(archiveDigest(a.file())));
        String what = "image " + image;
        return OnceBuiltDirectory.ensure(dir, what, log, scratch -> {
            Path outer = scratch.resolveSibling(scratch.getFileName() + ".archive");
            try {
                Files.createDirectories(outer);
                if (isImageArchive(a.file())) {
                    log.accept(what + ": unpacking the archive (" + size(a.file()) + ")");
                    LayerUnpacker.apply(a.file(), null, outer);
                    OciLayout.Image img = OciLayout.isLayout(outer) ? OciLayout.read(outer, null)
                            : OciLayout.readDockerSave(outer);
                    unpackLayers(image, img, scratch);
                } else {
                    log.accept(what + ": unpacking a root file system tarball (" + size(a.file()) + ")");
                    LayerUnpacker.apply(a.file(), null, scratch);
                }
            } catch (IOException e) {
                throw new BuildFailure("cannot unpack " + a.file() + ": " + e.getMessage());
            } finally {
                FileTrees.delete(outer);
            }
        });
    }

    /** A docker save or OCI archive has manifest.json or oci-layout at its top; a root tarball has neither. */
    private static boolean isImageArchive(Path file) throws BuildFailure {
        try {
            Process p = new ProcessBuilder("tar", "-t", "--quoting-style=literal", "-f", file.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            boolean found = false;
            try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    String name = line.startsWith("./") ? line.substring(2) : line;
                    found |= name.equals("manifest.json") || name.equals("oci-layout");
                }
            }
            if (p.waitFor() != 0) {
                throw new BuildFailure(file + " is not a tar archive tar can read");
            }
            return found;
        } catch (IOException e) {
            throw new BuildFailure("cannot list " + file + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildFailure("interrupted while reading " + file);
        }
    }

    private static String archiveDigest(Path file) throws BuildFailure {
        try {
            String key = file.toAbsolutePath() + "|" + Files.size(file) + "|" + Files.getLastModifiedTime(file);
            String known = ARCHIVE_DIGESTS.get(key);
            if (known != null) {
                return known;
            }
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                for (int r; (r = in.read(buf)) > 0; ) {
                    sha.update(buf, 0, r);
                }
            }
            String digest = "sha256:" + HexFormat.of().formatHex(sha.digest());
            ARCHIVE_DIGESTS.put(key, digest);
            return digest;
        } catch (IOException e) {
            throw new BuildFailure("cannot read " + file + ": " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String shortDigest(String digest) {
        String hex = digest.substring(digest.indexOf(':') + 1);
        return hex.substring(0, Math.min(16, hex.length()));
    }

    private static String size(Path file) {
        try {
            return String.format("%.1f MB", Files.size(file) / 1e6);
        } catch (IOException e) {
            return "size unknown";
        }
    }
}
