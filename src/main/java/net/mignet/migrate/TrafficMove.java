package net.mignet.migrate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import net.mignet.app.App;
import net.mignet.linkemu.HoldReport;
import net.mignet.net.Emulation;
import net.mignet.net.FrameHold;
import net.mignet.net.Host;
import net.mignet.topo.Ipv4Address;

/**
 * Moves a service's traffic from the old host's switch ports to the new host's: either at once
 * ({@link #redirect()}), or by holding the frames at the switch first ({@link #hold()}) and releasing them, in
 * order, to the new host once it serves ({@link #release()}), so no request reaches the old instance after its
 * state was taken and none is lost.
 */
public final class TrafficMove {
    private final List<Redirect.SwitchChanges> changes;
    /** What to tell about whose traffic moved or stayed, one line each. */
    private final List<String> notes;
    /** Whether traffic the rules send to the old host stays there, served by other programs. */
    private final boolean stays;
    /** Each hold with the port its frames go to on release. */
    private final Map<FrameHold, String> holds = new LinkedHashMap<>();
    private boolean redirected;

    private TrafficMove(List<Redirect.SwitchChanges> changes, List<String> notes, boolean stays) {
        this.changes = changes;
        this.notes = notes;
        this.stays = stays;
    }

    /**
     * Plans the flow changes for {@code app} moving to {@code to}: the traffic of each address both hosts carry
     * that is the app's ({@link AddressOwners}); the new host learns the old one's neighbours on the service
     * interfaces now.
     */
    static TrafficMove plan(Emulation net, App app, Host to) {
        Host from = app.host();
        copyNeighbours(from, to);
        // Only addresses whose traffic goes to the old host now: of the others there is nothing to move or keep.
        List<AddressOwners.Verdict> verdicts = AddressOwners.judge(app, Redirect.routedToOld(net, from, to),
                to.name());
        Set<Ipv4Address> moving = verdicts.stream().filter(AddressOwners.Verdict::moves)
                .map(AddressOwners.Verdict::address).collect(Collectors.toSet());
        List<String> notes = verdicts.stream().map(AddressOwners.Verdict::note).filter(Objects::nonNull).toList();
        boolean stays = verdicts.stream().anyMatch(v -> !v.moves());
        return new TrafficMove(Redirect.plan(net, from, to, moving::contains), notes, stays);
    }

    /**
     * The ARP entries of the service interfaces (those whose address both hosts carry) move with the service, so
     * it answers its clients at once instead of asking for their MAC first.
     */
    private static void copyNeighbours(Host from, Host to) {
        for (Redirect.SharedInterface s : Redirect.sharedInterfaces(from, to)) {
            to.learnNeighbours(s.moved().interfaceName(), from.neighbours(s.old().interfaceName()));
        }
    }

    /**
     * Whether the service's traffic stayed on the old host with another program and none moved: a client of that
     * service then saw nothing of this migration (its hiccups are not the migration's).
     */
    public boolean onlyStays() {
        return stays && changes.isEmpty();
    }

    /** Whose traffic moved or stayed where that is worth a line (another program serves an address too, ...). */
    public List<String> notes() {
        return notes;
    }

    /** The changed rules as ovs-ofctl text, e.g. {@code s1: in_port=s1-h1 actions=output:s1-h3}. */
    public List<String> described() {
        List<String> d = new ArrayList<>();
        changes.forEach(c -> d.addAll(c.described()));
        return d;
    }

    /**
     * The switch ports whose frames {@link #hold()} holds (the old host's service ports), as {@code switch:port}:
     * the only ways by which a request for the service can still be on its way to the old host once the hold
     * began. Frames on the old host's other links (its state network's) are not held, so they may reach it after
     * any drain as well as during it.
     */
    public java.util.Set<String> heldPorts() {
        java.util.Set<String> ports = new java.util.TreeSet<>();
        for (Redirect.SwitchChanges c : changes) {
            c.portSwaps().keySet().forEach(port -> ports.add(c.sw().name() + ":" + port));
        }
        return ports;
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
        try {
            for (Redirect.SwitchChanges c : changes) {
                c.portSwaps().forEach((oldPort, newPort) -> holds.put(c.sw().hold(oldPort), newPort));
            }
        } catch (RuntimeException e) {
            restore();
            throw e;
        }
    }

    /** The rules send to the new host, and the held frames go there first, in order. */
    public HeldFrames release() {
        HeldFrames total = HeldFrames.NONE;
        for (Map.Entry<FrameHold, String> h : holds.entrySet()) {
            total = total.plus(held(h.getKey().release(h.getValue())));
        }
        holds.clear();
        redirected = true;
        return total;
    }

    /** Rollback of a hold: the rules send to the old host again, the held frames go there. */
    public HeldFrames restore() {
        HeldFrames total = HeldFrames.NONE;
        for (FrameHold h : holds.keySet()) {
            if (h.isOpen()) {
                total = total.plus(held(h.restore()));
            }
        }
        holds.clear();
        return total;
    }

    private static HeldFrames held(HoldReport r) {
        return new HeldFrames(r.framesHeld(), r.bytesHeld(), r.longestHeld(), r.lost());
    }
}
