package net.mignet.topo;

import java.time.Duration;
import java.util.List;

/**
 * An app the topology file deploys when the network is up.
 *
 * @param migration how it migrates, or null: by checkpoint when available
 * @param tty       whether its output goes through pseudo-terminals (line-buffered programs show each line)
 * @param startedWhen what to await after starting it, before the next app starts (e.g. {@code udp:8888}: a client
 *                  that never retries must not send before its server listens)
 * @param pidNamespace whether it runs in a pid namespace of its own ({@code pid_namespace: true}), which post-copy
 *                  checkpoint migration ({@code --lazy}) needs
 * @param image     the image it runs on in a mount namespace of its own ({@code image: debian:13}, with its
 *                  {@code packages:}), or null: its host's file system
 * @param startTimeout how long {@code startedWhen} may take ({@code wait: {until: ..., timeout: 90s}}), or null: the
 *                  default of {@link #DEFAULT_START_TIMEOUT}
 * @param limits    its own CPU, memory and process limits ({@code cpu:}, {@code memory:}, {@code pids:}), within its
 *                  host's; {@link ResourceLimits#NONE}: only the host's
 */
public record AppSpec(String name, String host, List<String> command, MigrationMethod migration, boolean tty,
        MigrationRecipe.Condition startedWhen, Duration startTimeout, boolean pidNamespace, HostImage image,
        ResourceLimits limits) {
    /** How long an app's {@code wait:} may take unless it says otherwise. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(30);

    public AppSpec(String name, String host, List<String> command, MigrationMethod migration, boolean tty,
            MigrationRecipe.Condition startedWhen, boolean pidNamespace, HostImage image) {
        this(name, host, command, migration, tty, startedWhen, null, pidNamespace, image, ResourceLimits.NONE);
    }

    public AppSpec(String name, String host, List<String> command, MigrationMethod migration, boolean tty,
            MigrationRecipe.Condition startedWhen, boolean pidNamespace) {
        this(name, host, command, migration, tty, startedWhen, pidNamespace, null);
    }

    public AppSpec(String name, String host, List<String> command, MigrationMethod migration, boolean tty,
            MigrationRecipe.Condition startedWhen) {
        this(name, host, command, migration, tty, startedWhen, false);
    }

    public AppSpec {
        limits = limits == null ? ResourceLimits.NONE : limits;
        startTimeout = startTimeout == null ? DEFAULT_START_TIMEOUT : startTimeout;
        if (pidNamespace && !tty) {
            throw new IllegalArgumentException("app '" + name + "': pid_namespace: true needs its terminals; drop"
                    + " 'tty: false' (a checkpoint hands the terminals to the restored copy)");
        }
        command = List.copyOf(command);
        startedWhen = startedWhen == null ? new MigrationRecipe.Condition.Immediately() : startedWhen;
        if (startedWhen instanceof MigrationRecipe.Condition.Exited) {
            throw new IllegalArgumentException("wait: 'exit' is not something to wait for before the next app;"
                    + " write udp:PORT, tcp:PORT, log:REGEX or after:DURATION");
        }
        if (command.isEmpty()) {
            throw new IllegalArgumentException("app '" + name + "' has no command");
        }
    }
}
