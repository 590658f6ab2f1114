package net.mignet.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.mignet.kernel.ProcessGroups;

/**
 * A program the shell runs in the foreground, its output shown as it comes: a host command ({@code h1 ping h2},
 * see {@link HostCommandRun}) or one on the machine itself ({@code sh ip link}). It runs in a session of its own
 * ({@code setsid}), so it leads its own process group: the terminal's Ctrl-C reaches mignet only, and mignet stops
 * the program with everything it started by signalling that group (SIGINT, then SIGKILL if the group is still
 * there after 0.4 s).
 */
final class ForegroundCommand implements InterruptRouter.Stoppable {
    private static final long KILL_AFTER_MS = 400;
    private static final long OUTPUT_GRACE_MS = 300;
    private final Process process;
    private volatile boolean stopped;

    private ForegroundCommand(Process process) {
        this.process = process;
    }

    /**
     * Runs {@code argv} (already wrapped to enter a host, if it is a host's), printing its output as it comes and
     * a status other than 0; Ctrl-C through {@code router} stops it. Returns its exit status.
     */
    static int run(List<String> argv, PrintStream out, InterruptRouter router) throws IOException,
            InterruptedException {
        if (argv.stream().anyMatch(a -> a.indexOf('\0') >= 0)) {
            throw new IllegalArgumentException("a command's arguments cannot contain NUL characters");
        }
        List<String> full = new ArrayList<>(List.of("setsid"));
        full.addAll(argv);
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        ForegroundCommand run = new ForegroundCommand(p);
        router.running(run);
        try {
            return run.finish(out);
        } finally {
            router.done(run);
        }
    }

    private int finish(PrintStream out) throws InterruptedException, IOException {
        process.getOutputStream().close();
        Thread pump = Thread.ofPlatform().daemon().name("foreground-command-output-" + process.pid())
                .start(() -> copyLines(out));
        int code = process.waitFor();
        // Processes it left in the background may hold its output open: do not wait for them.
        pump.join(OUTPUT_GRACE_MS);
        if (stopped) {
            out.println("^C (stopped)");
        } else if (code != 0) {
            out.println("(exit " + code + ")");
        }
        return code;
    }

    private void copyLines(PrintStream out) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                out.println(line);
            }
        } catch (IOException e) {
            // The command's output went away with it: nothing more to show.
        }
    }

    @Override
    public void stop() {
        stopped = true;
        long group = process.pid(); // setsid made the command the leader of its own session and group
        if (!ProcessGroups.signal(group, ProcessGroups.SIGINT)) {
            process.destroy(); // not yet in its own group: the moment before setsid ran
        }
        Thread.ofVirtual().start(() -> {
            try {
                process.waitFor(KILL_AFTER_MS, TimeUnit.MILLISECONDS);
                // Also when the leader went: what it started and what ignores SIGINT may still be in the group.
                ProcessGroups.signal(group, ProcessGroups.SIGKILL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
