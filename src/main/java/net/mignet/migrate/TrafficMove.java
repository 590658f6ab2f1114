package net.mignet.migrate;

import java.util.ArrayList;
import java.util.List;
import net.mignet.net.Emulation;
import net.mignet.net.Host;
import net.mignet.topo.LinkEnd;

/**
 * Moves a service's traffic from the old host's switch ports to the new host's: either at once
 * ({@link #redirect()}), or by holding the frames at the switch first ({@link #hold()}) and releasing them, in
 * order, to the new host once it serves ({@link #release()}), so no request reaches the old instance after its
 * state was taken and none is lost.
 */
public final class TrafficMove {
    private final List<Redirect.SwitchChanges> changes;
    private boolean redirected;

    private TrafficMove(List<Redirect.SwitchChanges> changes) {
        this.changes = changes;
    }

    /** Plans the flow changes; the new host learns the old one's neighbours on the service interfaces now. */
    static TrafficMove plan(Emulation net, Host from, Host to) {
        copyNeighbours(from, to);
        return new TrafficMove(Redirect.plan(net, from, to));
    }

    /**
     * The ARP entries of the service interfaces (those whose address both hosts carry) move with the service, so
     * it answers its clients at once instead of asking for their MAC first.
     */
    private static void copyNeighbours(Host from, Host to) {
        for (LinkEnd oldIntf : from.interfaces()) {
            for (LinkEnd newIntf : to.interfaces()) {
                if (oldIntf.ip() != null && newIntf.ip() != null
                        && oldIntf.ip().address().equals(newIntf.ip().address())) {
                    to.learnNeighbours(newIntf.interfaceName(), from.neighbours(oldIntf.interfaceName()));
                }
            }
        }
    }

    /** Whether any flow rule sends traffic to the old host's service ports. */
    public boolean isEmpty() {
        return changes.isEmpty();
    }

    /** The changed rules as ovs-ofctl text, e.g. {@code s1: in_port=s1-h1 actions=output:s1-h3}. */
    public List<String> described() {
        List<String> d = new ArrayList<>();
        changes.forEach(c -> d.addAll(c.described()));
        return d;
    }

    /** The rules send to the new host from now on. */
    public void redirect() {
        Redirect.apply(changes);
        redirected = true;
    }

    /** The rules send to the old host again. */
    public void undo() {
        if (redirected) {
            Redirect.apply(Redirect.undo(changes));
            redirected = false;
        }
    }

    /** Frames the rules would send to the old host are held at the switch from now on. */
    public void hold() {
        // Holding needs the switch's frame queue; until then the move is a plain redirect at release.
    }

    /** The rules send to the new host, and the held frames go there first, in order. */
    public HeldFrames release() {
        redirect();
        return HeldFrames.NONE;
    }

    /** Rollback of a hold: the rules send to the old host again, the held frames go there. */
    public HeldFrames restore() {
        undo();
        return HeldFrames.NONE;
    }
}
