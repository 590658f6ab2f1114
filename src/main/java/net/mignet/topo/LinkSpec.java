package net.mignet.topo;

/**
 * A point-to-point link (a veth pair) between two nodes, with what it does to traffic in each direction.
 *
 * @param aToB parameters of the traffic from end a to end b
 * @param bToA parameters of the traffic from end b to end a
 */
public record LinkSpec(LinkEnd a, LinkEnd b, LinkParams aToB, LinkParams bToA) {

    public LinkSpec {
        aToB = aToB == null ? LinkParams.NONE : aToB;
        bToA = bToA == null ? LinkParams.NONE : bToA;
    }

    /** A link doing the same to both directions. */
    public LinkSpec(LinkEnd a, LinkEnd b, LinkParams params) {
        this(a, b, params, params);
    }

    /** The a-to-b parameters, which are those of both directions when the link is symmetric. */
    public LinkParams params() {
        return aToB;
    }

    public boolean isSymmetric() {
        return aToB.equals(bToA);
    }

    /** The parameters of the traffic leaving {@code node}. */
    public LinkParams paramsFrom(String node) {
        return a.node().equals(node) ? aToB : bToA;
    }

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
        return new LinkSpec(a, b, p, p);
    }

    public LinkSpec withParams(LinkParams forward, LinkParams backward) {
        return new LinkSpec(a, b, forward, backward);
    }

    /** The parameters for people: one set when symmetric, else each direction's. */
    public String describeParams() {
        if (isSymmetric()) {
            return aToB.toString();
        }
        return a.node() + "->" + b.node() + ": " + aToB + "; " + b.node() + "->" + a.node() + ": " + bToA;
    }

    @Override
    public String toString() {
        boolean empty = aToB.isEmpty() && bToA.isEmpty();
        return a + " <-> " + b + (empty ? "" : " (" + describeParams() + ")");
    }
}
