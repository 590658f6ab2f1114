package net.mignet.topo;

/**
 * What makes a host more than a network namespace: a root file system image (and with it its own mount, PID, UTS
 * and IPC namespaces) and resource limits. {@link #NONE} keeps the fast path of a bare namespace.
 *
 * @param image  the host's root file system, or null: the machine's
 * @param limits cgroup limits ({@link ResourceLimits#NONE} for none)
 */
public record HostContainer(HostImage image, ResourceLimits limits) {
    public static final HostContainer NONE = new HostContainer(null, ResourceLimits.NONE);

    public HostContainer {
        limits = limits == null ? ResourceLimits.NONE : limits;
    }

    public static HostContainer of(HostImage image) {
        return new HostContainer(image, ResourceLimits.NONE);
    }

    public boolean hasImage() {
        return image != null;
    }

    public HostContainer withLimits(ResourceLimits newLimits) {
        return new HostContainer(image, newLimits);
    }
}
