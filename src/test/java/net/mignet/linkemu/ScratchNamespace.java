package net.mignet.linkemu;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.mignet.testing.KernelAssumptions;

/** A network namespace of a test's own (root only: skipped otherwise), with a command runner into it. */
final class ScratchNamespace implements AutoCloseable {
    final String name;

    private ScratchNamespace(String name) {
        this.name = name;
    }

    /** Adds the namespace {@code prefix}-PID; the test is skipped, with the reason, when not run as root. */
    static ScratchNamespace create(String prefix) throws IOException, InterruptedException {
        KernelAssumptions.assumeRoot();
        ScratchNamespace ns = new ScratchNamespace(prefix + "-" + ProcessHandle.current().pid());
        run("ip", "netns", "add", ns.name);
        return ns;
    }

    /** Runs {@code ip -n NAME args...}. */
    void ip(String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("ip", "-n", name));
        argv.addAll(List.of(args));
        run(argv.toArray(String[]::new));
    }

    /** Runs a program in the namespace ({@code ip netns exec}). */
    void exec(String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", name));
        argv.addAll(List.of(args));
        run(argv.toArray(String[]::new));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run("ip", "netns", "del", name);
    }

    private static void run(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(argv)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " failed: " + out);
        }
    }
}
