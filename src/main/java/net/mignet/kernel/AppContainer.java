package net.mignet.kernel;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Starts an app in a container of its own inside a host (ComNetsEmu's model: the host is a Docker host, the app a
 * container on it): its own mount namespace with its image as root (an overlay with a writable layer of its own,
 * {@code pivot_root}, the system directories as for a host), in the host's network namespace, and in the host's
 * UTS, IPC and PID namespaces when the host has an image (else a UTS namespace named after the host). No init is
 * needed: the mount namespace lives as long as the app and its children.
 */
public final class AppContainer {
    private AppContainer() {
    }

    /**
     * @param namespace the host's network namespace
     * @param hostName  the host's name (the app's host name when the host has no UTS namespace of its own)
     * @param host      the host's own namespaces, or null
     * @param cgroup    the host's cgroups, or null
     * @param image     the app's image root (read only)
     * @param stateDir  where the app's writable layer goes
     * @param shared    machine paths bound read-only at the same place (mignet's JVM and classes)
     * @return the app's pid as mignet sees it (our child; it leads a session of its own)
     */
    public static long spawn(String namespace, String hostName, HostSandbox host, HostCgroup cgroup, Path image,
            Path stateDir, List<Path> shared, List<String> argv, Map<String, String> environment, int... stdio) {
        if (host != null && !host.isAlive()) {
            throw new IllegalStateException("host " + hostName + " is down: its init has ended");
        }
        Path upper = ContainerRoot.directory(stateDir, "upper");
        Path work = ContainerRoot.directory(stateDir, "work");
        Path root = ContainerRoot.directory(stateDir, "root");
        boolean[] born = {false};
        long pid = HostSandbox.onFreshThread(() -> {
            born[0] = cgroup != null && cgroup.joinThread();
            ContainerCalls.unshare(ContainerCalls.CLONE_FS);
            if (host != null) {
                String ns = "/proc/" + host.initPid() + "/ns/";
                ContainerCalls.setns(ns + "net", ContainerCalls.CLONE_NEWNET);
                ContainerCalls.setns(ns + "uts", ContainerCalls.CLONE_NEWUTS);
                ContainerCalls.setns(ns + "ipc", ContainerCalls.CLONE_NEWIPC);
                ContainerCalls.setns(ns + "pid", ContainerCalls.CLONE_NEWPID);
                ContainerCalls.unshare(ContainerCalls.CLONE_NEWNS);
            } else {
                ContainerCalls.setns(NetnsPaths.of(namespace), ContainerCalls.CLONE_NEWNET);
                ContainerCalls.unshare(ContainerCalls.CLONE_NEWNS | ContainerCalls.CLONE_NEWUTS);
                ContainerCalls.sethostname(hostName);
            }
            ContainerCalls.mount(null, "/", null, ContainerCalls.MS_REC | ContainerCalls.MS_PRIVATE, null);
            ContainerRoot.prepare(root, image, upper, work, shared);
            int devNull = Libc.open("/dev/null", ContainerRoot.O_RDWR | Libc.O_CLOEXEC);
            try {
                if (host != null) {
                    ContainerRoot.mountProcFromChild(root, devNull);
                } else {
                    // The thread's own PID namespace is the one the app is born in: it can mount /proc itself.
                    ContainerCalls.mount("proc", root.resolve("proc").toString(), "proc", ContainerCalls.MS_NOSUID
                            | ContainerCalls.MS_NODEV | ContainerCalls.MS_NOEXEC, null);
                }
            } finally {
                NativeCalls.close(devNull);
            }
            ContainerCalls.chdir(root.toString());
            ContainerRoot.pivot();
            return ChildSpawn.spawn(argv, environment, true, stdio);
        });
        if (cgroup != null && !born[0]) {
            cgroup.add(pid);
        }
        return pid;
    }
}
