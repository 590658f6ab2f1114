package net.mignet.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A machine-wide integer sysctl raised to at least a value until closed, then put back (only if it was raised).
 * Nothing records the raise: a {@code kill -9} leaves it raised. For benches and tests; an emulation's migrations
 * raise through {@link SysctlClaims}, which {@code mignet clean} can undo. The file is read and written in the namespaces of the calling thread, so a setting that is not per namespace
 * (such as {@code fs.pipe-max-size} or {@code net.core.rmem_max}) must be changed from the machine's own.
 */
public final class SysctlFloor implements AutoCloseable {
    private final Path file;
    private final long previous;
    private final boolean changed;

    private SysctlFloor(Path file, long previous, boolean changed) {
        this.file = file;
        this.previous = previous;
        this.changed = changed;
    }

    /** The value of the integer sysctl file {@code file} (under {@code /proc/sys}). */
    public static long read(Path file) {
        try {
            // Not Files.readString: on these files it returns only the first character (measured, JDK 25:
            // procfs gives their size as 0).
            return Long.parseLong(Files.readAllLines(file).getFirst().strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Raises {@code file} to {@code value} if it is lower; {@link #close} puts the previous value back. */
    public static SysctlFloor atLeast(Path file, long value) {
        long before = read(file);
        if (before >= value) {
            return new SysctlFloor(file, before, false);
        }
        write(file, value);
        return new SysctlFloor(file, before, true);
    }

    /** The value before {@link #atLeast}. */
    public long previous() {
        return previous;
    }

    /** Whether {@link #atLeast} raised it. */
    public boolean changed() {
        return changed;
    }

    @Override
    public void close() {
        if (changed) {
            write(file, previous);
        }
    }

    static void write(Path file, long value) {
        try {
            Files.writeString(file, Long.toString(value));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set " + file + " to " + value + " (needs root)", e);
        }
    }
}
