package net.mignet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the signal tests need to know of their own process. */
final class TerminationSignalsTestSupport {
    private TerminationSignalsTestSupport() {
    }

    /** Whether signal {@code number} is ignored in this process: bit number-1 of SigIgn in /proc/self/status. */
    static boolean ignoredHere(int number) throws IOException {
        String mask = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("SigIgn:")).findFirst().orElseThrow().substring("SigIgn:".length()).trim();
        return (Long.parseUnsignedLong(mask, 16) >>> (number - 1) & 1) != 0;
    }
}
