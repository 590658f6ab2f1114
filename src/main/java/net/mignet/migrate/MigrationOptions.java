package net.mignet.migrate;

import java.time.Duration;

/**
 * Limits and choices of one migration.
 *
 * @param readyTimeout how long the successor may take to get ready
 * @param doneTimeout  how long the handover may take once triggered
 * @param drainTimeout how long the old instance may take to answer what reached it before the hold
 * @param lazy         checkpoint: restore at once and fetch memory pages on demand (post-copy)
 * @param rounds       checkpoint: pre-dump rounds while the app runs (needs the kernel's dirty-page tracking)
 */
public record MigrationOptions(Duration readyTimeout, Duration doneTimeout, Duration drainTimeout, boolean lazy,
        int rounds) {
    public static final MigrationOptions DEFAULTS = new MigrationOptions(Duration.ofSeconds(30),
            Duration.ofSeconds(15), Duration.ofSeconds(5), false, 0);

    public MigrationOptions {
        if (rounds < 0 || rounds > 100) {
            throw new IllegalArgumentException("--rounds must be 0 to 100, not " + rounds);
        }
    }

    public MigrationOptions withLazy(boolean lazy) {
        return new MigrationOptions(readyTimeout, doneTimeout, drainTimeout, lazy, rounds);
    }

    public MigrationOptions withRounds(int rounds) {
        return new MigrationOptions(readyTimeout, doneTimeout, drainTimeout, lazy, rounds);
    }
}
