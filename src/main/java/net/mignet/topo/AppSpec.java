package net.mignet.topo;

import java.util.List;

/**
 * An app the topology file deploys when the network is up.
 *
 * @param migration how it migrates, or null: by checkpoint when available
 * @param tty       whether its output goes through pseudo-terminals (line-buffered programs show each line)
 */
public record AppSpec(String name, String host, List<String> command, MigrationMethod migration, boolean tty) {
    public AppSpec {
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("app '" + name + "' has no command");
        }
    }
}
