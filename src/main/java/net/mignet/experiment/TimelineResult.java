package net.mignet.experiment;

import java.util.List;
import java.util.Optional;
import net.mignet.migrate.MigrationReport;

/** Every step a timeline ran, in order; it stops at the first step that failed. */
public record TimelineResult(List<StepOutcome> steps) {
    public TimelineResult {
        steps = List.copyOf(steps);
    }

    public Optional<StepOutcome> failure() {
        return steps.stream().filter(s -> !s.succeeded()).findFirst();
    }

    public List<MigrationReport> migrations() {
        return steps.stream().flatMap(s -> s.migrationReport().stream()).toList();
    }
}
