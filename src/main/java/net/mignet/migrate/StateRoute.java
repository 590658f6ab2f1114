package net.mignet.migrate;

import net.mignet.net.Host;
import net.mignet.topo.Ipv4Address;
import net.mignet.topo.LinkEnd;

/** The two addresses a service's state travels between: the old host's and the new host's on a shared subnet. */
public record StateRoute(Ipv4Address from, Ipv4Address to) {

    /**
     * The first subnet both hosts are on with different addresses: the internal network of the scenario
     * (192.168.0.12 -> 192.168.0.13), never the service address both hosts share.
     */
    public static StateRoute between(Host from, Host to) {
        for (LinkEnd a : from.interfaces()) {
            for (LinkEnd b : to.interfaces()) {
                if (a.ip() != null && b.ip() != null && a.ip().length() == b.ip().length()
                        && a.ip().network().equals(b.ip().network()) && !a.ip().address().equals(b.ip().address())) {
                    return new StateRoute(a.ip().address(), b.ip().address());
                }
            }
        }
        throw new IllegalArgumentException(from.name() + " and " + to.name() + " share no subnet on which they have"
                + " different addresses, so the state has no way between them; connect them (like the scenario's"
                + " internal network 192.168.0.0/24) or give the route explicitly");
    }

    @Override
    public String toString() {
        return from + " -> " + to;
    }
}
