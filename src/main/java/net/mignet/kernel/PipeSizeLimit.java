package net.mignet.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The machine's largest pipe a process without {@code CAP_SYS_RESOURCE} may ask for ({@code fs.pipe-max-size}).
 *
 * <p>criu's lazy page server (post-copy) copies pages out of its page pipes into a pipe it enlarges well past the
 * default 1 MiB limit; where criu lacks {@code CAP_SYS_RESOURCE} (a root confined by a capability bounding set, as
 * on these machines) the enlargement fails with EPERM, {@code tee} then comes back short
 * ({@code page-pipe: tee: 65536: Operation not permitted} in the dump log) and every lazy restore of more than a
 * few pages fails. Measured on kernel 6.18 with criu 4.2.1: with the limit at 16 MiB a 256 MB process migrates
 * lazily. {@link #raise} lifts the limit for the duration of a migration and puts the old value back; the raise
 * is recorded in the emulation's state directory ({@link SysctlClaims}), so {@code mignet clean} puts it back after
 * a {@code kill -9}, and concurrent migrations of several emulations share it.
 */
public final class PipeSizeLimit implements AutoCloseable {
    public static final Path SYSCTL = Path.of("/proc/sys/fs/pipe-max-size");
    /** What criu's lazy page server was measured to work with. */
    public static final long FOR_LAZY_PAGES = 16L << 20;
    private static final int CAP_SYS_RESOURCE = 24;

    /** The raised limit, or null when this process needed none. */
    private final SysctlClaims.Hold hold;

    private PipeSizeLimit(SysctlClaims.Hold hold) {
        this.hold = hold;
    }

    /** The current limit in bytes. */
    public static long current() {
        return SysctlFloor.read(SYSCTL);
    }

    /** Whether this process (and so criu, started by it) may make pipes of any size. */
    public static boolean hasCapSysResource() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring(7).strip(), 16);
                    return (caps & (1L << CAP_SYS_RESOURCE)) != 0;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/status", e);
        }
    }

    /**
     * Raises the limit to at least {@code bytes} for a migration of emulation {@code owner} until closed (a no-op
     * when the machine's is that high already, or when this process has {@code CAP_SYS_RESOURCE}), logging the
     * change.
     */
    public static PipeSizeLimit raise(EmulationId owner, long bytes, Consumer<String> log) {
        if (hasCapSysResource()) {
            return new PipeSizeLimit(null);
        }
        SysctlClaims.Hold hold = SysctlClaims.system().raise(owner, SYSCTL, bytes, log).orElse(null);
        if (hold != null && hold.wrote()) {
            log.accept("*** raised fs.pipe-max-size from " + hold.original() + " to " + bytes + " for criu's lazy page"
                    + " server (this process lacks CAP_SYS_RESOURCE); it goes back when the migration ends (after a"
                    + " crash: mignet clean)");
        } else if (hold != null) {
            log.accept("fs.pipe-max-size is at " + current() + ", raised from " + hold.original() + " for another"
                    + " lazy migration; it goes back when the last of them ends");
        }
        return new PipeSizeLimit(hold);
    }

    @Override
    public void close() {
        if (hold != null) {
            hold.close();
        }
    }
}
