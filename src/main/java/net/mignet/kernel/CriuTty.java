package net.mignet.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A terminal as CRIU names it: {@code tty[RDEV:DEV]} in hex, the device number of the terminal and that of the
 * file system holding it (devpts), as {@code stat(2)} gives them. Declared external on dump, inherited on restore.
 */
public record CriuTty(long rdev, long dev) {
    private static final Pattern KEY = Pattern.compile("tty\\[([0-9a-fA-F]+):([0-9a-fA-F]+)]");

    /** The terminal whose slave is at {@code slave} (e.g. {@code /dev/pts/3}). */
    public static CriuTty of(Path slave) {
        try {
            long rdev = ((Number) Files.getAttribute(slave, "unix:rdev")).longValue();
            long dev = ((Number) Files.getAttribute(slave, "unix:dev")).longValue();
            if (rdev == 0) {
                throw new IllegalArgumentException(slave + " is not a terminal device (no device number)");
            }
            return new CriuTty(rdev, dev);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat terminal " + slave, e);
        }
    }

    /** Parses CRIU's key, e.g. {@code tty[8803:19]}. */
    public static CriuTty parse(String key) {
        Matcher m = KEY.matcher(key.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a CRIU terminal key: '" + key + "' (expected tty[RDEV:DEV] in hex)");
        }
        return new CriuTty(Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16));
    }

    /** The key as CRIU writes it. */
    public String key() {
        return "tty[" + Long.toHexString(rdev) + ":" + Long.toHexString(dev) + "]";
    }

    @Override
    public String toString() {
        return key();
    }
}
