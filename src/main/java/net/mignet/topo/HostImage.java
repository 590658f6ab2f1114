package net.mignet.topo;

import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The root file system a host (or an app) runs on: {@code debian:SUITE} (built with mmdebstrap, with extra
 * {@code packages}), {@code oci:PATH[:TAG]} (an OCI image layout) or {@code PATH.tar} (a {@code docker save} or OCI
 * archive, or a root file system tarball). Only the words are checked here; building and unpacking are the image
 * package's.
 *
 * @param reference as written, e.g. {@code debian:13}
 * @param packages  extra Debian packages, sorted and without repeats (only with {@code debian:})
 */
public record HostImage(String reference, List<String> packages) {
    private static final Pattern PACKAGE = Pattern.compile("[a-z0-9][a-z0-9+.-]+");
    private static final Pattern SUITE = Pattern.compile("[a-z0-9][a-z0-9.-]*");

    public HostImage {
        if (reference == null || reference.isBlank() || reference.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("image '" + reference + "' must be one word: debian:13, debian:12,"
                    + " oci:PATH[:TAG] or PATH.tar");
        }
        packages = List.copyOf(new TreeSet<>(packages));
        for (String p : packages) {
            if (!PACKAGE.matcher(p).matches()) {
                throw new IllegalArgumentException("package '" + p + "' is not a Debian package name (lower-case"
                        + " letters, digits, '+', '-', '.'), e.g. iperf3");
            }
        }
        if (isDebian(reference)) {
            String suite = reference.substring("debian:".length());
            if (!SUITE.matcher(suite).matches()) {
                throw new IllegalArgumentException("image '" + reference + "': the Debian suite must be a release"
                        + " number or name, e.g. debian:13, debian:12, debian:trixie, debian:unstable");
            }
        } else if (!packages.isEmpty()) {
            throw new IllegalArgumentException("packages: " + String.join(", ", packages) + " can only be added to a"
                    + " debian: image (mignet builds those); image '" + reference + "' is used as it is");
        }
    }

    public static HostImage of(String reference) {
        return new HostImage(reference, List.of());
    }

    /** Whether mignet builds it with mmdebstrap. */
    public boolean isDebian() {
        return isDebian(reference);
    }

    private static boolean isDebian(String reference) {
        return reference.toLowerCase(Locale.ROOT).startsWith("debian:");
    }

    @Override
    public String toString() {
        return packages.isEmpty() ? reference : reference + " + " + String.join(",", packages);
    }
}
