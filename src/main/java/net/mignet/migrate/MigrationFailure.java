package net.mignet.migrate;

import java.time.Duration;
import java.time.Instant;

/**
 * A migration that failed and was rolled back, as its {@code migration-failed} event carries it: what the results
 * can say of a migration that never finished (no downtime or state figures exist for it).
 *
 * @param app      the app's name
 * @param strategy the strategy that failed
 * @param from     the host it ran on, and runs on again after the rollback
 * @param to       the host it was to move to
 * @param oldPid   pid of the instance it was to replace
 * @param reason   why it failed, as the migration's message says it
 * @param started  when the migration began
 * @param ended    when its rollback was done
 */
public record MigrationFailure(String app, String strategy, String from, String to, long oldPid, String reason,
        Instant started, Instant ended) {
    /** From the start to the end of the rollback: the time the attempt cost. */
    public Duration total() {
        return Duration.between(started, ended);
    }
}
