package net.mignet.kernel;

import java.util.List;
import java.util.Map;

/**
 * Starts an app's process inside a host: in its network namespace (a bare host) or in all of its namespaces (a
 * host with an image, {@link HostSandbox}), and in its cgroups when it has some, from birth where the kernel
 * allows it (cgroup v1: the spawning thread joins first), else moved in right after it started (cgroup v2).
 */
public final class HostSpawn {
    private HostSpawn() {
    }

    /**
     * @param namespace the host's network namespace
     * @param sandbox   its other namespaces, or null
     * @param cgroup    its cgroups, or null
     * @return the new process's pid as mignet sees it; it leads a session of its own
     */
    public static long start(String namespace, HostSandbox sandbox, HostCgroup cgroup, List<String> argv,
            Map<String, String> environment, int... stdio) {
        if (sandbox == null && cgroup == null) {
            return ChildSpawn.inNetworkNamespace(namespace, argv, environment, stdio);
        }
        boolean[] born = {false};
        long pid;
        if (sandbox != null) {
            pid = sandbox.spawnWith(() -> born[0] = cgroup != null && cgroup.joinThread(), argv, environment, stdio);
        } else {
            pid = NamespaceThread.call(namespace, () -> {
                born[0] = cgroup.joinThread();
                return ChildSpawn.spawn(argv, environment, true, stdio);
            });
        }
        if (cgroup != null && !born[0]) {
            cgroup.add(pid);
        }
        return pid;
    }
}
