package net.mignet.linkemu;

import net.mignet.topo.Topology;

/** The engine tests' smallest network: h1 (10.0.0.1) and h2 (10.0.0.2) on switch s1, plain links. */
final class TwoHosts {
    private TwoHosts() {
    }

    static Topology named(String name) {
        return Topology.builder(name).addHost("h1", "10.0.0.1/24").addHost("h2", "10.0.0.2/24").addSwitch("s1")
                .addLink("h1", "s1").addLink("h2", "s1").build();
    }
}
