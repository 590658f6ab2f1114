package net.mignet.migrate;

import java.time.Duration;
import java.util.List;
import net.mignet.net.Emulation;
import net.mignet.net.Host;
import net.mignet.net.Link;
import net.mignet.topo.LinkParams;

/** What the links of a host say about how long a frame can travel. */
final class Links {
    private Links() {
    }

    /** The largest one-way delay plus jitter configured on any link of {@code host}, in either direction. */
    static Duration worstDelay(Emulation net, Host host) {
        Duration worst = Duration.ZERO;
        for (Link l : net.links()) {
            if (l.a().node().equals(host.name()) || l.b().node().equals(host.name())) {
                for (LinkParams p : List.of(l.paramsAToB(), l.paramsBToA())) {
                    Duration d = (p.delay() == null ? Duration.ZERO : p.delay())
                            .plus(p.jitter() == null ? Duration.ZERO : p.jitter());
                    worst = d.compareTo(worst) > 0 ? d : worst;
                }
            }
        }
        return worst;
    }
}
