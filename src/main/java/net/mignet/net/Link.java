package net.mignet.net;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.mignet.kernel.Command;
import net.mignet.kernel.LinkWatch;
import net.mignet.linkemu.DirectionStats;
import net.mignet.linkemu.LinkEmulator;
import net.mignet.linkemu.LinkPath;
import net.mignet.linkemu.LinkTransit;
import net.mignet.topo.LinkEnd;
import net.mignet.topo.LinkParams;
import net.mignet.topo.LinkSpec;

/** A running link: a veth pair whose ends sit in their nodes' namespaces, with parameters changeable at run time. */
public final class Link {
    private final LinkSpec initial;
    private final LinkPath path;
    private final LinkEmulator emulator;
    private final EmulationEvents events;
    private volatile LinkParams aToB;
    private volatile LinkParams bToA;
    private volatile boolean up = true;

    Link(LinkSpec spec, LinkPath path, LinkEmulator emulator, EmulationEvents events) {
        this.initial = spec;
        this.events = events;
        this.path = path;
        this.emulator = emulator;
        this.aToB = spec.aToB();
        this.bToA = spec.bToA();
    }

    /** The link as built, with its current parameters. */
    public LinkSpec spec() {
        return initial.withParams(aToB, bToA);
    }

    public LinkEnd a() {
        return initial.a();
    }

    public LinkEnd b() {
        return initial.b();
    }

    /** The current parameters from a to b (of both directions when the link is symmetric). */
    public LinkParams params() {
        return aToB;
    }

    public LinkParams paramsAToB() {
        return aToB;
    }

    public LinkParams paramsBToA() {
        return bToA;
    }

    /** The current parameters of the traffic leaving {@code node}. */
    public LinkParams paramsFrom(String node) {
        requireEnd(node);
        return a().node().equals(node) ? aToB : bToA;
    }

    /** Gives both directions these parameters, replacing the current ones, while traffic flows. */
    public void set(LinkParams both) {
        set(both, both);
    }

    /** Gives each direction its parameters, replacing the current ones, while traffic flows. */
    public synchronized void set(LinkParams forward, LinkParams backward) {
        emulator.apply(path, forward, backward);
        aToB = forward;
        bToA = backward;
        events.publish("link-set", this, "a", a().node(), "b", b().node(), "a_to_b", forward, "b_to_a", backward);
    }

    /** Changes only the traffic leaving {@code node}. */
    public synchronized void setFrom(String node, LinkParams params) {
        requireEnd(node);
        if (a().node().equals(node)) {
            set(params, bToA);
        } else {
            set(aToB, params);
        }
    }

    /** What applies the parameters: {@code userspace}, {@code netem}, {@code tbf} (a rate alone) or {@code -}. */
    public String backend() {
        return emulator.describe(path, aToB, bToA);
    }

    /** Counters of the userspace engine for this link (a->b, b->a); empty with other backends. */
    public List<DirectionStats> engineStats() {
        return emulator.stats(path);
    }

    /**
     * What the link emulator holds now on its way to end {@code node}; empty where it cannot tell (see
     * {@link LinkEmulator#transit}).
     */
    public Optional<LinkTransit> transitToward(String node) {
        requireEnd(node);
        return emulator.transit(path, a().node().equals(node));
    }

    /**
     * The device, and its namespace, through which frames for end {@code node} enter the link: the other end's
     * (a switch port's current device in the fabric, or the other host's interface). Its qdisc (a rate limit) is
     * where they may wait before the link.
     */
    public LinkPath.Port entryToward(String node) {
        requireEnd(node);
        return a().node().equals(node) ? path.b() : path.a();
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
        // Coming up, a host's end goes last: up while its peer is still down, it would send its first ARP request
        // into a link without carrier, and the kernel asks again only a second later.
        boolean hostEndLast = wantUp && !path.a().isSwitchPort() && path.b().isSwitchPort();
        LinkPath.Port first = hostEndLast ? path.b() : path.a();
        LinkPath.Port second = hostEndLast ? path.a() : path.b();
        Command.check(List.of("ip", "-n", first.namespace(), "link", "set", "dev", first.device(), state));
        Command.check(List.of("ip", "-n", second.namespace(), "link", "set", "dev", second.device(), state));
        if (wantUp) {
            // The end that came up first, and the fabric devices facing the ends (a host-to-host link's, or the
            // engine's), carry frames only once link watch has seen their carrier. One still waiting after the
            // stall bound carries them once link watch gets to it.
            Map<String, List<String>> devices = new LinkedHashMap<>();
            devices.computeIfAbsent(first.namespace(), ns -> new ArrayList<>()).add(first.device());
            devices.computeIfAbsent(path.fabric(), ns -> new ArrayList<>())
                    .addAll(List.of(path.engineDeviceA(), path.engineDeviceB()));
            LinkWatch.awaitOperational(devices);
        }
        up = wantUp;
        events.publish("link-" + state, this, "a", a().node(), "b", b().node());
    }

    private void requireEnd(String node) {
        if (!a().node().equals(node) && !b().node().equals(node)) {
            throw new IllegalArgumentException(node + " is not an end of link " + initial.a() + " <-> " + initial.b());
        }
    }

    @Override
    public String toString() {
        return spec() + (up ? "" : " [down]");
    }
}
