package net.mignet.kernel;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The owner of an emulation holds a lock on {@code /run/mignet/<id>/owner.lock} for as long as it lives; the
 * kernel drops it when the process ends, however it ends. Whether the lock is held tells a live owner from a dead
 * one without pids, so neither a reused pid nor an owner in another pid namespace (a container, CI) misleads it.
 *
 * <p>The locks are POSIX record locks, which a process loses when it closes <em>any</em> descriptor of the file:
 * this process never opens a lock file it holds a second time, it answers from {@link #HELD}.
 */
public final class OwnerLock {
    private static final String FILE = "owner.lock";
    private static final Map<EmulationId, FileChannel> HELD = new ConcurrentHashMap<>();

    private OwnerLock() {
    }

    /** Takes the lock of {@code id} for this process, until {@link #release}. */
    public static void acquire(EmulationId id) throws IOException {
        if (HELD.containsKey(id)) {
            return;
        }
        FileChannel channel = FileChannel.open(id.stateDirectory().resolve(FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            channel.close();
            throw new IllegalStateException("emulation " + id + " is owned by another live process: choose another"
                    + " --id, or see mignet ls");
        }
        HELD.put(id, channel);
    }

    /** Lets the lock of {@code id} go (the emulation is gone). */
    public static void release(EmulationId id) {
        FileChannel channel = HELD.remove(id);
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // Closing drops the lock whatever else happens.
            }
        }
    }

    /** Whether a live process holds the lock of {@code id}; empty when there is no lock file to tell. */
    public static Optional<Boolean> isHeld(EmulationId id) {
        if (HELD.containsKey(id)) {
            return Optional.of(true);
        }
        Path file = id.stateDirectory().resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock probe = channel.tryLock();
            if (probe == null) {
                return Optional.of(true);
            }
            probe.release();
            return Optional.of(false);
        } catch (OverlappingFileLockException e) {
            return Optional.of(true);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
