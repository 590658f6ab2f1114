package net.mignet.experiment;

import java.util.List;
import net.mignet.flow.FlowMatch;
import net.mignet.net.Emulation;
import net.mignet.net.Host;
import net.mignet.net.HostCondition;
import net.mignet.net.LinkFlap;
import net.mignet.net.Link;
import net.mignet.net.Switch;
import net.mignet.topo.LinkSpec;
import net.mignet.topo.Topology;

/**
 * Whether the next run of a sweep can use the network the previous run built, and putting it back into the
 * state its topology describes: each link's parameters and state, each switch's flow table (migrations change
 * flows; timeline steps change links).
 */
final class NetworkReuse {
    private static final java.time.Duration FLAP_END = java.time.Duration.ofSeconds(10);
    private NetworkReuse() {
    }

    /**
     * The same nodes, addresses and links; link parameters may differ, since {@link #reset} sets them. Never
     * with a host that has an image: what one run wrote into its file system would be there for the next (a
     * line appended per run showed every earlier run's), so runs of a sweep would not be independent.
     */
    static boolean possible(Topology built, Topology next) {
        return built.name().equals(next.name()) && built.hosts().equals(next.hosts())
                && built.switches().equals(next.switches()) && ends(built).equals(ends(next))
                && built.hosts().stream().allMatch(h -> h.container().image() == null);
    }

    private static List<List<Object>> ends(Topology t) {
        return t.links().stream().map(l -> List.<Object>of(l.a(), l.b())).toList();
    }

    static void reset(Emulation net, Topology next) throws InterruptedException {
        // Faults of the previous run end first: a flap would bring links down again, and a crashed or frozen
        // host could not take the next run's apps.
        for (LinkFlap flap : net.faults().flaps()) {
            flap.cancel();
            flap.await(FLAP_END);
        }
        net.faults().thawAll();
        for (Host host : net.hosts()) {
            if (host.condition() == HostCondition.CRASHED) {
                net.faults().restart(host.name());
            }
        }
        for (Link link : net.links()) {
            LinkSpec spec = next.links().stream()
                    .filter(l -> l.a().equals(link.a()) && l.b().equals(link.b())).findFirst().orElseThrow();
            link.setUp(true);
            link.set(spec.aToB(), spec.bToA());
        }
        for (Switch sw : net.switches()) {
            sw.flowTable().delete(FlowMatch.ANY, null);
            next.switchNamed(sw.name()).orElseThrow().flows().forEach(sw.flowTable()::add);
        }
    }
}
