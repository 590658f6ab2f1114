package net.mignet.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import net.mignet.net.Host;

/** A command the shell runs on a host, e.g. {@code h1 ping h2}: a {@link ForegroundCommand} inside the host. */
final class HostCommandRun {
    private HostCommandRun() {
    }

    /** Runs {@code argv} on {@code host}, printing its output as it comes; Ctrl-C through {@code router} stops it. */
    static void run(Host host, List<String> argv, PrintStream out, InterruptRouter router)
            throws IOException, InterruptedException {
        long memoryKillsBefore = host.memoryKills();
        int code = ForegroundCommand.run(host.wrap(argv), out, router);
        if (code == 128 + 9 && memoryKillsBefore >= 0 && host.limits().memory() > 0
                && host.memoryKills() > memoryKillsBefore) {
            // An exit 137 alone said nothing of why: the host's memory limit killed it.
            out.println("(killed by " + host.name() + "'s memory limit, memory=" + host.limits().memory() / (1 << 20)
                    + "m; see info " + host.name() + ")");
        }
    }
}
