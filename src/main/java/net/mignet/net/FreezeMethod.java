package net.mignet.net;

import net.mignet.kernel.FreezerCgroup;

/** How {@code freeze} stops a host's processes. */
public enum FreezeMethod {
    /**
     * A freezer cgroup (v1's freezer hierarchy, else v2's {@code cgroup.freeze}): the processes get no signal and
     * notice nothing, and none escapes by forking.
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
        // The freezer is v1's where the machine mounts it, else v2's cgroup.freeze: say which.
        return this == CGROUP_FREEZER ? "cgroup " + FreezerCgroup.version() + " freezer" : description;
    }
}
