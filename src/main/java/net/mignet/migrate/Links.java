package net.mignet.migrate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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
        return worstDelay(net, host, Set.of());
    }

    /**
     * As {@link #worstDelay(Emulation, Host)}, over only the links of {@code host} that end at one of
     * {@code ports} ({@code switch:port}); over all its links when {@code ports} is empty.
     */
    static Duration worstDelay(Emulation net, Host host, Set<String> ports) {
        Duration worst = Duration.ZERO;
        for (Link l : of(net, host, ports)) {
            for (LinkParams p : List.of(l.paramsAToB(), l.paramsBToA())) {
                Duration d = (p.delay() == null ? Duration.ZERO : p.delay())
                        .plus(p.jitter() == null ? Duration.ZERO : p.jitter());
                worst = d.compareTo(worst) > 0 ? d : worst;
            }
        }
        return worst;
    }

    /**
     * The links of {@code host} whose other end is one of {@code ports} ({@code switch:port}), or all its links
     * when {@code ports} is empty (nothing held: every way in counts).
     */
    static List<Link> of(Emulation net, Host host, Set<String> ports) {
        List<Link> links = new ArrayList<>();
        for (Link l : net.links()) {
            boolean atA = l.a().node().equals(host.name());
            if (!atA && !l.b().node().equals(host.name())) {
                continue;
            }
            if (ports.isEmpty() || ports.contains((atA ? l.b() : l.a()).toString())) {
                links.add(l);
            }
        }
        return links;
    }
}
