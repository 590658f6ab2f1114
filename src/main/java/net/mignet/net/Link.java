package net.mignet.net;

import java.util.List;
import net.mignet.kernel.Command;
import net.mignet.topo.LinkEnd;
import net.mignet.topo.LinkSpec;

/** A running link: a veth pair whose ends sit in their nodes' namespaces. */
public final class Link {
    private final LinkSpec spec;
    private final String namespaceA;
    private final String namespaceB;
    private volatile boolean up = true;

    Link(LinkSpec spec, String namespaceA, String namespaceB) {
        this.spec = spec;
        this.namespaceA = namespaceA;
        this.namespaceB = namespaceB;
    }

    public LinkSpec spec() {
        return spec;
    }

    public LinkEnd a() {
        return spec.a();
    }

    public LinkEnd b() {
        return spec.b();
    }

    public boolean isUp() {
        return up;
    }

    public boolean connects(String node1, String node2) {
        return (a().node().equals(node1) && b().node().equals(node2))
                || (a().node().equals(node2) && b().node().equals(node1));
    }

    /** Cuts or restores the link by taking both ends down or up, as a pulled cable would. */
    public void setUp(boolean wantUp) {
        String state = wantUp ? "up" : "down";
        Command.check(List.of("ip", "-n", namespaceA, "link", "set", "dev", a().interfaceName(), state));
        Command.check(List.of("ip", "-n", namespaceB, "link", "set", "dev", b().interfaceName(), state));
        up = wantUp;
    }

    @Override
    public String toString() {
        return spec + (up ? "" : " [down]");
    }
}
