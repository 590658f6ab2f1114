package net.mignet.cli;

import java.io.PrintStream;
import java.util.List;
import net.mignet.experiment.RunResult;

/** The closing lines of {@code run --autotest}: one per run, then the verdict with its reasons. */
final class AutotestSummary {
    private AutotestSummary() {
    }

    /** Prints the summary; returns whether every run passed. */
    static boolean print(List<RunResult> results, PrintStream out) {
        int number = 0;
        for (RunResult r : results) {
            number++;
            long migrations = r.timeline().migrations().size();
            out.println("run " + number + (r.values().isEmpty() ? "" : " " + r.values()) + ": "
                    + r.timeline().steps().size() + " steps, " + migrations + " migrations: "
                    + (r.passed() ? "passed" : "FAILED"));
            r.problems().forEach(p -> out.println("  " + p));
        }
        boolean passed = results.stream().allMatch(RunResult::passed);
        out.println(passed ? "autotest passed" : "autotest FAILED");
        return passed;
    }
}
