package net.mignet.net;

import net.mignet.kernel.FreezerCgroup;

/** How {@code freeze} stops a host's processes. */
public enum FreezeMethod {
    /**
     * A cgroup of the v1 freezer hierarchy: the processes get no signal and notice nothing, and none escapes by
     * forking. Needs {@code /sys/fs/cgroup/freezer} (cgroups v1 or hybrid).
     */
    CGROUP_FREEZER("cgroup v1 freezer"),
    /** SIGSTOP to every process, SIGCONT to thaw: works everywhere, but parents may notice (SIGCHLD, waitpid). */
    SIGSTOP("SIGSTOP/SIGCONT");

    private final String description;

    FreezeMethod(String description) {
        this.description = description;
    }

    /** The freezer where the machine has one, else signals. */
    public static FreezeMethod best() {
        return FreezerCgroup.available() ? CGROUP_FREEZER : SIGSTOP;
    }

    public String description() {
        return description;
    }
}
