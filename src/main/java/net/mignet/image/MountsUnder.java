package net.mignet.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import net.mignet.kernel.Command;
import net.mignet.kernel.CommandResult;

/**
 * The file systems mounted inside {@code dir} in this process's mount namespace, deepest first: the order they
 * can be unmounted in (a mount point inside another mount must go before it; of mounts stacked on one point, the
 * last made is on top). {@code umount -R dir} does not do it when {@code dir} itself is no mount point.
 */
record MountsUnder(Path dir, List<Path> points) {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    MountsUnder {
        points = List.copyOf(points);
    }

    static MountsUnder of(Path dir) {
        try {
            return of(dir, Files.readAllLines(MOUNTINFO));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + MOUNTINFO, e);
        }
    }

    /** From the lines of a mountinfo file, in the kernel's order (the order the mounts were made). */
    static MountsUnder of(Path dir, List<String> mountinfo) {
        Path base = dir.toAbsolutePath().normalize();
        List<Path> found = new ArrayList<>();
        for (String line : mountinfo) {
            Path point = Path.of(unescape(line.split(" ")[4]));
            if (point.startsWith(base) && !point.equals(base)) {
                found.add(point);
            }
        }
        Collections.reverse(found);
        found.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return new MountsUnder(dir, found);
    }

    boolean isEmpty() {
        return points.isEmpty();
    }

    /**
     * Unmounts each, deepest first, stopping at one that cannot be (busy): the caller reads the table again to
     * see what is left.
     */
    void unmount() {
        for (Path point : points) {
            CommandResult r = Command.run(List.of("umount", point.toString()), null, Command.DEFAULT_TIMEOUT);
            if (!r.ok()) {
                return;
            }
        }
    }

    /**
     * A command line that removes {@code dir} with what is mounted in it, for a person to run. Detaching ({@code -l})
     * works on a busy mount too, and the removal starts only once every mount is gone, so it never deletes
     * inside the machine's /dev or /proc.
     */
    String removalCommand() {
        return points.stream().map(p -> "umount -l " + quote(p)).collect(Collectors.joining(" && "))
                + (points.isEmpty() ? "" : " && ") + "rm -rf " + quote(dir);
    }

    @Override
    public String toString() {
        return points.stream().map(Path::toString).collect(Collectors.joining(", "));
    }

    private static String quote(Path p) {
        String s = p.toString();
        return s.matches("[A-Za-z0-9_./+:=@%-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    /** The kernel writes space, tab, newline and backslash in a mount point as octal escapes (\040 ...). */
    private static String unescape(String field) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = field.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\\' && i + 3 < b.length && isOctal(b[i + 1]) && isOctal(b[i + 2]) && isOctal(b[i + 3])) {
                out.write((b[i + 1] - '0') * 64 + (b[i + 2] - '0') * 8 + (b[i + 3] - '0'));
                i += 3;
            } else {
                out.write(b[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static boolean isOctal(byte c) {
        return c >= '0' && c <= '7';
    }
}
