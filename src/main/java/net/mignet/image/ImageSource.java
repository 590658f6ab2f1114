package net.mignet.image;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.mignet.topo.HostImage;

/** Where an image's root file system comes from, read from its reference. */
public sealed interface ImageSource {
    /** Packages every built Debian host image has: the tools mignet's own checks run inside hosts. */
    List<String> BASE_PACKAGES = List.of("hostname", "iproute2", "iputils-ping", "procps");
    /** Debian release numbers and their suite names, for {@code debian:13}. */
    Map<String, String> DEBIAN_RELEASES = Map.of("10", "buster", "11", "bullseye", "12", "bookworm", "13", "trixie",
            "14", "forky", "15", "duke", "sid", "unstable");

    /** {@code debian:SUITE}: built with mmdebstrap; {@code packages} include {@link #BASE_PACKAGES}, sorted. */
    record Debian(String suite, List<String> packages) implements ImageSource {
    }

    /** {@code oci:PATH[:TAG]}: an OCI image layout directory. */
    record OciLayout(Path dir, String tag) implements ImageSource {
    }

    /** {@code PATH.tar} (or .tar.gz, .tgz): a docker save or OCI archive, or a root file system tarball. */
    record Archive(Path file) implements ImageSource {
    }

    /** A name like {@code ubuntu:24.04} or {@code docker.io/library/alpine}: only a registry has it. */
    record Registry(String name) implements ImageSource {
    }

    static ImageSource of(HostImage image) {
        String ref = image.reference();
        String lower = ref.toLowerCase(Locale.ROOT);
        if (image.isDebian()) {
            String suite = lower.substring("debian:".length());
            java.util.TreeSet<String> all = new java.util.TreeSet<>(BASE_PACKAGES);
            all.addAll(image.packages());
            return new Debian(DEBIAN_RELEASES.getOrDefault(suite, suite), List.copyOf(all));
        }
        if (lower.startsWith("oci:")) {
            String rest = ref.substring(4);
            int slash = rest.lastIndexOf('/');
            int colon = rest.lastIndexOf(':');
            if (colon > slash) {
                return new OciLayout(Path.of(rest.substring(0, colon)), rest.substring(colon + 1));
            }
            return new OciLayout(Path.of(rest), null);
        }
        if (lower.endsWith(".tar") || lower.endsWith(".tar.gz") || lower.endsWith(".tgz")) {
            return new Archive(Path.of(ref));
        }
        return new Registry(ref);
    }
}
