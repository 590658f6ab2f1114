package net.mignet.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import net.mignet.net.Privileges;

/** Skips a test, saying why, when the machine cannot build namespaces or lacks a tool. */
public final class KernelAssumptions {
    private KernelAssumptions() {
    }

    public static void assumeRoot() {
        assume(Privileges.isRoot(), "needs root to build network namespaces (run the tests as root)");
    }

    public static void assumeTool(String tool) {
        boolean found = System.getenv("PATH") != null && java.util.Arrays.stream(System.getenv("PATH").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
        assume(found, "needs the '" + tool + "' command (install it: see README)");
    }

    public static void assumeKernelModule(String module, Path probe) {
        assume(Files.exists(probe), "needs kernel support for " + module);
    }

    /** Skips unless a working criu 4.2+ can be had (found, or built once as a cached root). */
    public static void assumeCriu() {
        net.mignet.image.CriuLookup criu = net.mignet.image.CriuInstallation.find();
        assume(criu.isAvailable(), criu.isAvailable() ? "" : criu.unavailableReason());
    }

    /** Skips unless hosts can be given cpu, memory and pids limits (the controllers exist and are writable). */
    public static void assumeCgroupLimits() {
        String reason = net.mignet.kernel.HostCgroup.unavailableReason(
                new net.mignet.topo.ResourceLimits(0.5, 64L << 20, 100)).orElse(null);
        assume(reason == null, reason);
    }

    /** Skips unless some cgroup hierarchy (v1 or v2) offers {@code controller}. */
    public static void assumeCgroupController(String controller) {
        java.util.Optional<String> missing = net.mignet.kernel.CgroupMounts.system().missing(controller);
        assume(missing.isEmpty(), missing.orElse(""));
    }

    /** Skips, printing {@code reason}, unless the machine is in the state {@code condition} says. */
    public static void assumeMachineState(boolean condition, String reason) {
        assume(condition, reason);
    }

    private static void assume(boolean condition, String reason) {
        if (!condition) {
            System.err.println("SKIPPED: " + reason);
        }
        assumeTrue(condition, reason);
    }

}
