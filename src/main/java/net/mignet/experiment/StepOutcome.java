package net.mignet.experiment;

import java.time.Instant;
import java.util.Optional;
import net.mignet.migrate.MigrationReport;
import net.mignet.topo.TimedStep;

/**
 * What one timeline step did.
 *
 * @param round     which round of the enclosing {@code repeat}s (0 outside any)
 * @param failure   why it failed, or null when it succeeded
 * @param migration the report of a migrate step, or null
 */
public record StepOutcome(TimedStep step, int round, Instant started, Instant ended, String failure,
        MigrationReport migration) {
    public boolean succeeded() {
        return failure == null;
    }

    public Optional<MigrationReport> migrationReport() {
        return Optional.ofNullable(migration);
    }

    @Override
    public String toString() {
        long ms = java.time.Duration.between(started, ended).toMillis();
        return step + (round > 0 ? " (round " + round + ")" : "") + ": " + (failure == null ? "done" : "FAILED: "
                + failure) + " in " + ms + " ms";
    }
}
