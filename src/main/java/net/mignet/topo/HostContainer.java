package net.mignet.topo;

import java.util.EnumSet;
import java.util.Set;

/**
 * What makes a host more than a network namespace: a root file system image (and with it its own mount namespace,
 * and by default its own PID, UTS and IPC namespaces) and resource limits. {@link #NONE} keeps the fast path of a
 * bare namespace.
 *
 * @param image      the host's root file system, or null: the machine's
 * @param limits     cgroup limits ({@link ResourceLimits#NONE} for none)
 * @param namespaces the namespaces of its own beside the network's and the mount namespace its image needs: all of
 *                   {@link Namespace} for a host with an image unless some are turned off ({@code pid_namespace:
 *                   false}, ...), none without an image
 */
public record HostContainer(HostImage image, ResourceLimits limits, Set<Namespace> namespaces) {
    public static final HostContainer NONE = new HostContainer(null, ResourceLimits.NONE);

    /** A namespace an image host has of its own unless told otherwise. */
    public enum Namespace {
        /** Its own process table under a small init, which is its pid 1 ({@code pid_namespace:}). */
        PID,
        /** Its own host name, the host's ({@code uts_namespace:}). */
        UTS,
        /** Its own System V IPC objects and POSIX message queues ({@code ipc_namespace:}). */
        IPC;

        /** The topology file's key that turns it off: {@code pid_namespace}. */
        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT) + "_namespace";
        }
    }

    public HostContainer {
        limits = limits == null ? ResourceLimits.NONE : limits;
        namespaces = namespaces == null ? (image == null ? Set.of() : EnumSet.allOf(Namespace.class))
                : Set.copyOf(namespaces);
        if (image == null && !namespaces.isEmpty()) {
            throw new IllegalArgumentException("namespaces of its own (" + namespaces + ") need an image for the"
                    + " host, e.g. 'image: debian:13'");
        }
    }

    /** With an image, all of its own namespaces. */
    public HostContainer(HostImage image, ResourceLimits limits) {
        this(image, limits, null);
    }

    public static HostContainer of(HostImage image) {
        return new HostContainer(image, ResourceLimits.NONE);
    }

    public boolean hasImage() {
        return image != null;
    }

    public boolean has(Namespace namespace) {
        return namespaces.contains(namespace);
    }

    public HostContainer withLimits(ResourceLimits newLimits) {
        return new HostContainer(image, newLimits, namespaces);
    }

    /** These, with only {@code own} of its namespaces (an image host that shares the others with the machine). */
    public HostContainer withNamespaces(Set<Namespace> own) {
        return new HostContainer(image, limits, own.isEmpty() ? EnumSet.noneOf(Namespace.class) : EnumSet.copyOf(own));
    }
}
