package net.mignet.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * The command line that runs a program in a named network namespace and nothing else: {@code nsenter} enters
 * only the network namespace and then replaces itself with the program (same pid). Unlike {@code ip netns
 * exec}, it gives the program no mount namespace of its own, which CRIU could not simply checkpoint and
 * restore. {@link NamespaceProcesses} recognizes it in the moment before it has entered.
 */
public final class NetnsEnter {
    private NetnsEnter() {
    }

    public static List<String> argv(String namespace, List<String> argv) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("no command given to run in " + namespace);
        }
        List<String> full = new ArrayList<>(List.of("nsenter", "--net=" + NetnsPaths.of(namespace), "--"));
        full.addAll(argv);
        return full;
    }
}
