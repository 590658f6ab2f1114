package net.mignet.net;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import net.mignet.kernel.NamespaceProcesses;

/** The processes living on a host: every process in its network namespace (or entering it), zombies aside. */
final class HostProcesses {
    /** Rounds of "act on what is there, look again" before giving up on a host whose processes keep forking. */
    private static final int MAX_ROUNDS = 50;

    private HostProcesses() {
    }

    /**
     * Every process on the host but the init of its own PID namespace (a host with an image has one): that init is
     * mignet's, standing for the host's kernel, and without it nothing could run on the host again.
     */
    static List<Long> of(Host host) {
        long init = host.initPid().orElse(-1L);
        return NamespaceProcesses.in(List.of(host.namespace())).stream().map(NamespaceProcesses.Member::pid)
                .filter(pid -> pid != init).toList();
    }

    /**
     * Applies {@code action} to every process on the host, looking again until a look finds none it has not
     * acted on yet: a process forked between two looks is caught in the next one. Returns all it acted on.
     */
    static List<Long> untilNoNewOnes(Host host, Consumer<Long> action) {
        Set<Long> done = new LinkedHashSet<>();
        for (int round = 0; round < MAX_ROUNDS; round++) {
            List<Long> fresh = of(host).stream().filter(p -> !done.contains(p)).toList();
            if (fresh.isEmpty()) {
                return List.copyOf(done);
            }
            for (long pid : fresh) {
                action.accept(pid);
                done.add(pid);
            }
        }
        throw new IllegalStateException(host.name() + " keeps starting processes faster than they can be caught ("
                + done.size() + " so far); try again");
    }
}
