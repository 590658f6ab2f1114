package net.mignet.topo;

import java.util.List;

/**
 * Which links a step means by its two ends, each a node ({@code h2}: every link between the two nodes, as the
 * shell's {@code link h2 s1 ...}) or a node's interface ({@code h2:h2-s1-int}: the one link on it).
 */
public record LinkSelector(String node1, String interface1, String node2, String interface2) {
    public static LinkSelector of(String end1, String end2) {
        String[] a = end1.split(":", 2);
        String[] b = end2.split(":", 2);
        return new LinkSelector(a[0], a.length > 1 ? a[1] : null, b[0], b.length > 1 ? b[1] : null);
    }

    public boolean selects(LinkSpec link) {
        return ends(link.a(), link.b()) || ends(link.b(), link.a());
    }

    private boolean ends(LinkEnd first, LinkEnd second) {
        return first.node().equals(node1) && (interface1 == null || first.interfaceName().equals(interface1))
                && second.node().equals(node2) && (interface2 == null || second.interfaceName().equals(interface2));
    }

    public List<LinkSpec> in(Topology topology) {
        return topology.links().stream().filter(this::selects).toList();
    }

    @Override
    public String toString() {
        return (interface1 == null ? node1 : node1 + ":" + interface1) + " "
                + (interface2 == null ? node2 : node2 + ":" + interface2);
    }
}
