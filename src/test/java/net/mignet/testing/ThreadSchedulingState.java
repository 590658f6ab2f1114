package net.mignet.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The scheduling class and priority Linux reports for the calling thread ({@code /proc/thread-self/sched}):
 * policy 0 is SCHED_OTHER, 1 SCHED_FIFO; prio 120 is nice 0, 110 nice -10, 100 nice -20.
 */
public record ThreadSchedulingState(int policy, int prio) {
    public static ThreadSchedulingState ofThisThread() throws IOException {
        int policy = -1;
        int prio = -1;
        for (String line : Files.readAllLines(Path.of("/proc/thread-self/sched"))) {
            String[] kv = line.split(":");
            if (kv.length == 2 && kv[0].strip().equals("policy")) {
                policy = Integer.parseInt(kv[1].strip());
            } else if (kv.length == 2 && kv[0].strip().equals("prio")) {
                prio = Integer.parseInt(kv[1].strip());
            }
        }
        return new ThreadSchedulingState(policy, prio);
    }
}
