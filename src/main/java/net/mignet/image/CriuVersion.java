package net.mignet.image;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A criu release number, as {@code criu --version} prints it ({@code Version: 4.2.1}). */
public record CriuVersion(int major, int minor, int patch) implements Comparable<CriuVersion> {
    private static final Pattern VERSION = Pattern.compile("(?m)^Version:\\s*(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    /** The version in {@code criu --version}'s output, if it has one. */
    public static Optional<CriuVersion> parse(String versionOutput) {
        Matcher m = VERSION.matcher(versionOutput);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(new CriuVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3))));
    }

    public boolean atLeast(CriuVersion other) {
        return compareTo(other) >= 0;
    }

    @Override
    public int compareTo(CriuVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c != 0 ? c : Integer.compare(patch, o.patch);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
