package net.mignet.topo;

import java.util.List;

/** A topology file as a whole: the network, and the apps deployed on it at start. */
public record Lab(Topology topology, List<AppSpec> apps) {
    public Lab {
        apps = List.copyOf(apps);
    }
}
