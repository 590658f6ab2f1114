package net.mignet.app;

import net.mignet.topo.HostImage;
import net.mignet.topo.ResourceLimits;

/**
 * How an app is started.
 *
 * @param tty its standard input, output and error are pseudo-terminals (the default, as {@code docker run -t}), so
 *        programs that buffer output in blocks when it is not a terminal (Python, C stdio) print line by line;
 *        false gives it pipes ({@code --no-tty})
 * @param pidNamespace it runs in a PID namespace of its own under a small init ({@code tini}, see
 *        {@code kernel.PidNamespaceInit}), which forwards signals and reaps; needed for post-copy checkpoint
 *        migration ({@code migrate --strategy checkpoint --lazy}), whose restored copy runs beside its frozen
 *        original with the same pids inside their namespaces ({@code deploy --pid-ns}, {@code pid_namespace: true})
 * @param image its own root file system, or null: its host's ({@code deploy --image}, {@code image:} and
 *        {@code packages:} of an app)
 * @param limits its own CPU, memory and process limits, tighter than its host's, in a cgroup of its own inside the
 *        host's ({@code deploy --cpu 0.2 --memory 64m --pids 20}, {@code cpu:}/{@code memory:}/{@code pids:} of an
 *        app); {@link ResourceLimits#NONE}: only the host's
 */
public record DeployOptions(boolean tty, boolean pidNamespace, HostImage image, ResourceLimits limits) {
    public static final DeployOptions DEFAULT = new DeployOptions(true, false);
    public static final DeployOptions NO_TTY = new DeployOptions(false, false);

    public DeployOptions {
        limits = limits == null ? ResourceLimits.NONE : limits;
        if (pidNamespace && !tty) {
            throw new IllegalArgumentException("an app with its own pid namespace needs its terminals (it exists to be"
                    + " checkpointed, which hands its terminals to the restored copy): drop --no-tty or --pid-ns");
        }
        if (image != null && (pidNamespace || !tty)) {
            throw new IllegalArgumentException("an app with an image (--image " + image + ") runs on terminals in the"
                    + " pid namespace of its host: drop --no-tty and --pid-ns");
        }
    }

    /** With the image as written ({@code --image debian:13}), or null. */
    public DeployOptions(boolean tty, boolean pidNamespace, String image, ResourceLimits limits) {
        this(tty, pidNamespace, image == null ? null : HostImage.of(image), limits);
    }

    public DeployOptions(boolean tty, boolean pidNamespace) {
        this(tty, pidNamespace, (HostImage) null, ResourceLimits.NONE);
    }

    public DeployOptions(boolean tty) {
        this(tty, false);
    }

    public DeployOptions withTty(boolean on) {
        return new DeployOptions(on, pidNamespace, image, limits);
    }

    public DeployOptions withPidNamespace(boolean on) {
        return new DeployOptions(tty, on, image, limits);
    }

    /**
     * The app runs in a container of its own on its host: its own mount namespace with {@code reference}'s root
     * file system (e.g. {@code debian:13}), in the host's network namespace ({@code deploy --image}).
     */
    public DeployOptions withImage(String reference) {
        return withImage(HostImage.of(reference));
    }

    /** As {@link #withImage(String)}, for an image with packages of its own, e.g. {@code debian:13 + python3}. */
    public DeployOptions withImage(HostImage image) {
        return new DeployOptions(tty, pidNamespace, image, limits);
    }

    /** The app runs in a cgroup of its own inside its host's, with these limits (within the host's). */
    public DeployOptions withLimits(ResourceLimits appLimits) {
        return new DeployOptions(tty, pidNamespace, image, appLimits);
    }
}
