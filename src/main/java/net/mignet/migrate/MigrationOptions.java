package net.mignet.migrate;

import java.time.Duration;

/**
 * Limits and choices of one migration.
 *
 * @param readyTimeout how long the successor may take to get ready
 * @param doneTimeout  how long the handover may take once triggered
 * @param drainTimeout how long the old instance may take to answer what reached it before the hold
 * @param lazy         checkpoint: restore at once and fetch memory pages on demand (post-copy)
 * @param rounds       checkpoint: pre-dump rounds while the app runs (needs the kernel's dirty-page tracking);
 *                     pre-copy: rounds while the service serves (the snapshot is the first) before the freeze
 * @param untilDelta   pre-copy: freeze once a round leaves at most this many bytes changed; -1: the service's
 *                     default (64 KB), ignored when rounds is given
 */
public record MigrationOptions(Duration readyTimeout, Duration doneTimeout, Duration drainTimeout, boolean lazy,
        int rounds, long untilDelta) {
    public static final MigrationOptions DEFAULTS = new MigrationOptions(Duration.ofSeconds(30),
            Duration.ofSeconds(15), Duration.ofSeconds(5), false, 0, -1);

    public MigrationOptions {
        if (rounds < 0 || rounds > 100) {
            throw new IllegalArgumentException("--rounds must be 0 to 100, not " + rounds);
        }
        if (untilDelta < -1) {
            throw new IllegalArgumentException("--until-delta must be a size in bytes, not " + untilDelta);
        }
    }

    public MigrationOptions withLazy(boolean lazy) {
        return new MigrationOptions(readyTimeout, doneTimeout, drainTimeout, lazy, rounds, untilDelta);
    }

    public MigrationOptions withRounds(int rounds) {
        return new MigrationOptions(readyTimeout, doneTimeout, drainTimeout, lazy, rounds, untilDelta);
    }

    public MigrationOptions withUntilDelta(long bytes) {
        return new MigrationOptions(readyTimeout, doneTimeout, drainTimeout, lazy, rounds, bytes);
    }

    /** How long a state transfer may take: {@code doneTimeout} is sized for a handover of a few bytes. */
    public MigrationOptions withDoneTimeout(Duration timeout) {
        return new MigrationOptions(readyTimeout, timeout, drainTimeout, lazy, rounds, untilDelta);
    }
}
