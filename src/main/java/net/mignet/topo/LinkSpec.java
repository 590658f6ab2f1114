package net.mignet.topo;

/** A point-to-point link (a veth pair) between two nodes. */
public record LinkSpec(LinkEnd a, LinkEnd b, LinkParams params) {

    public boolean touches(String node) {
        return a.node().equals(node) || b.node().equals(node);
    }

    /** The end on {@code node}'s side; for a link with both ends on one node (refused by validation) the first. */
    public LinkEnd endOn(String node) {
        return a.node().equals(node) ? a : b;
    }

    public LinkEnd otherEnd(String node) {
        return a.node().equals(node) ? b : a;
    }

    public LinkSpec withParams(LinkParams p) {
        return new LinkSpec(a, b, p);
    }

    @Override
    public String toString() {
        return a + " <-> " + b + (params.isEmpty() ? "" : " (" + params + ")");
    }
}
