package net.mignet.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import net.mignet.app.AppManager;
import net.mignet.kernel.EmulationId;
import net.mignet.kernel.NetnsPaths;
import net.mignet.net.Emulation;
import net.mignet.topo.TopologyGenerators;

/**
 * Feeds generated hostile lines ({@link ShellLineGenerator}) to the shell's dispatcher against one small running
 * emulation and reports what went wrong: a stack trace or an internal error in the output, a line that would not
 * end (a command on a host is stopped after {@link #STOP_AFTER} as Ctrl-C would; a line that still runs
 * {@link #HANG_AFTER} later hangs), a network that no longer works afterwards, namespaces of its emulation made or
 * lost while fuzzing or left after teardown. Only the emulation's own namespaces are counted, so other programs
 * making namespaces on the machine at the same time cannot fail it.
 * The suite runs it with 2 000 lines, {@code bench/run ShellFuzzBench} with 10 000.
 */
public final class ShellFuzz {
    static final Duration STOP_AFTER = Duration.ofSeconds(3);
    static final Duration HANG_AFTER = Duration.ofSeconds(30);
    private static final Pattern TRACE = Pattern.compile(
            "(?m)(^\\s+at [\\w$.]+\\(|Exception in thread|^\\s*Caused by: |^[\\w.$]+(Exception|Error)(: |$))");

    /**
     * What a run found; the namespace counts are the emulation's own: once it was up, after the fuzzing, and after
     * its teardown.
     */
    public record Result(int lines, int stopped, List<String> problems, String pingall, int namespacesUp,
            int namespacesAfterFuzzing, int namespacesLeft, Duration took) {
        public boolean clean() {
            return problems.isEmpty() && pingall.contains("Results: 0% dropped")
                    && namespacesUp == namespacesAfterFuzzing && namespacesLeft == 0;
        }
    }

    private ShellFuzz() {
    }

    /** Builds {@code single,3}, runs {@code count} lines made from {@code seed}, checks, and tears down. */
    public static Result run(int count, long seed, PrintStream progress) throws InterruptedException {
        EmulationId id = EmulationId.fresh("fuzz");
        Result found;
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,3"), id, line -> { });
                AppManager apps = new AppManager(net)) {
            Shell shell = new Shell(net, new CoreCommands(net, apps));
            int withNetwork = namespacesOf(id);
            ShellLineGenerator lines = new ShellLineGenerator(seed);
            List<String> problems = new ArrayList<>();
            int stopped = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                String line = lines.next();
                Outcome o = execute(shell, line);
                stopped += o.stopped() ? 1 : 0;
                if (o.hung()) {
                    problems.add("#" + i + " did not end within " + HANG_AFTER.plus(STOP_AFTER).toSeconds() + " s: "
                            + show(line));
                    break;
                }
                if (TRACE.matcher(o.output()).find() || o.output().contains("internal error")) {
                    problems.add("#" + i + " " + show(line) + " ->\n" + o.output());
                }
                if (progress != null && (i + 1) % 1000 == 0) {
                    progress.printf("  %d lines, %d stopped, %d problems%n", i + 1, stopped, problems.size());
                }
            }
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            restore(shell);
            int namespacesDuring = namespacesOf(id);
            // A link just given back its defaults may lose the first frame while its engine is swapped: allow
            // one more round, never a broken network.
            String pingall = execute(shell, "pingall").output();
            if (!pingall.contains("Results: 0% dropped")) {
                pingall = execute(shell, "pingall").output();
            }
            if (!pingall.contains("Results: 0% dropped")) {
                pingall += "\nafter:\n" + execute(shell, "flows s1").output() + execute(shell, "links").output()
                        + execute(shell, "apps").output();
            }
            if (namespacesDuring != withNetwork) {
                problems.add("namespaces changed while fuzzing: " + withNetwork + " -> " + namespacesDuring);
            }
            found = new Result(count, stopped, problems, pingall, withNetwork, namespacesDuring, -1, took);
        }
        return new Result(found.lines(), found.stopped(), found.problems(), found.pingall(), found.namespacesUp(),
                found.namespacesAfterFuzzing(), namespacesOf(id), found.took());
    }

    private static int namespacesOf(EmulationId id) {
        return (int) NetnsPaths.list().stream().filter(ns -> ns.startsWith(id.namespacePrefix())).count();
    }

    /** Undoes what valid lines may legitimately have changed (links or interfaces down, drop rules, apps). */
    private static void restore(Shell shell) throws InterruptedException {
        for (String line : List.of("link h1 s1 up", "link h2 s1 up", "link h3 s1 up", "link h1 s1 set clear",
                "link h2 s1 set clear", "link h3 s1 set clear", "intf h1 h1-eth0 up", "intf h2 h2-eth0 up",
                "intf h3 h3-eth0 up", "flow s1 del")) {
            execute(shell, line);
        }
    }

    private record Outcome(String output, boolean stopped, boolean hung) {
    }

    /** Runs one line on a thread of its own: a line that does not end is stopped as Ctrl-C would stop it. */
    private static Outcome execute(Shell shell, String line) throws InterruptedException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        CountDownLatch done = new CountDownLatch(1);
        Thread.ofPlatform().daemon().name("fuzz-line").start(() -> {
            try {
                shell.execute(line, out);
            } finally {
                done.countDown();
            }
        });
        boolean stopped = false;
        if (!done.await(STOP_AFTER.toMillis(), TimeUnit.MILLISECONDS)) {
            stopped = true;
            shell.interrupt();
        }
        boolean hung = !done.await(HANG_AFTER.toMillis(), TimeUnit.MILLISECONDS);
        return new Outcome(bytes.toString(StandardCharsets.UTF_8), stopped, hung);
    }

    private static String show(String line) {
        String shown = line.length() > 200 ? line.substring(0, 200) + "... (" + line.length() + " characters)" : line;
        return "'" + shown.replaceAll("\\p{Cc}", "?") + "'";
    }
}
