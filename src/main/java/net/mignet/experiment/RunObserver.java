package net.mignet.experiment;

import java.util.Map;
import net.mignet.net.Emulation;

/** Is told what an experiment does, e.g. to record it into a results directory. */
public interface RunObserver {
    RunObserver NONE = new RunObserver() {
    };

    /** A network was built: the first, or a new one for a run whose topology differs from the last. */
    default void networkStarted(Emulation net) {
    }

    /** Run number {@code index} (from 1) begins, with its sweep values (empty without a sweep). */
    default void runStarting(int index, Map<String, String> sweepValues) {
    }
}
