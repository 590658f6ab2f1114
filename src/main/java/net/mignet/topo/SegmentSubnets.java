package net.mignet.topo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hosts that share a switched segment but no subnet with any other host on it: a slip in an address (10.1.0.3/24
 * among 10.0.0.0/24) after which {@code pingall} fails with no hint why. Two subnets on one switch are a design
 * (the reference scenario carries its service and its state network on one); a host alone in its subnet there,
 * while others share one, is most often not.
 */
public final class SegmentSubnets {
    private SegmentSubnets() {
    }

    /** One line per host that shares no subnet with another host of its segment, which has such a pair. */
    public static List<String> notes(Topology t) {
        Map<String, String> segmentOf = segments(t);
        // Per segment: each host's addresses on it.
        Map<String, Map<String, List<Ipv4Prefix>>> addresses = new LinkedHashMap<>();
        for (LinkSpec l : t.links()) {
            for (LinkEnd[] pair : new LinkEnd[][] {{l.a(), l.b()}, {l.b(), l.a()}}) {
                LinkEnd host = pair[0];
                LinkEnd other = pair[1];
                if (host.ip() == null || t.host(host.node()).isEmpty()) {
                    continue;
                }
                // A host-to-host link is a segment of its own.
                String segment = segmentOf.getOrDefault(other.node(), "link " + l.a().node() + "-" + l.b().node());
                addresses.computeIfAbsent(segment, k -> new LinkedHashMap<>())
                        .computeIfAbsent(host.node(), k -> new ArrayList<>()).add(host.ip());
            }
        }
        List<String> notes = new ArrayList<>();
        addresses.forEach((segment, hosts) -> {
            List<String> alone = hosts.keySet().stream().filter(h -> !sharesASubnet(h, hosts)).toList();
            if (!alone.isEmpty() && alone.size() < hosts.size()) {
                for (String h : alone) {
                    notes.add("!!! " + h + " (" + String.join(", ", hosts.get(h).stream().map(Object::toString)
                            .toList()) + ") shares no subnet with the other hosts on " + segment
                            + ": it reaches them only through a route");
                }
            }
        });
        return notes;
    }

    private static boolean sharesASubnet(String host, Map<String, List<Ipv4Prefix>> hosts) {
        for (Ipv4Prefix mine : hosts.get(host)) {
            for (Map.Entry<String, List<Ipv4Prefix>> other : hosts.entrySet()) {
                if (other.getKey().equals(host)) {
                    continue;
                }
                for (Ipv4Prefix theirs : other.getValue()) {
                    if (mine.contains(theirs.address()) && theirs.contains(mine.address())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Each switch's segment, named by its switches joined by links ("s1", "s1 s2 s3"). */
    private static Map<String, String> segments(Topology t) {
        Map<String, String> parent = new HashMap<>();
        t.switches().forEach(s -> parent.put(s.name(), s.name()));
        for (LinkSpec l : t.links()) {
            if (parent.containsKey(l.a().node()) && parent.containsKey(l.b().node())) {
                parent.put(root(parent, l.a().node()), root(parent, l.b().node()));
            }
        }
        Map<String, List<String>> members = new LinkedHashMap<>();
        t.switches().forEach(s -> members.computeIfAbsent(root(parent, s.name()), k -> new ArrayList<>())
                .add(s.name()));
        Map<String, String> name = new HashMap<>();
        members.values().forEach(group -> group.forEach(s -> name.put(s, String.join(" ", group))));
        return name;
    }

    private static String root(Map<String, String> parent, String node) {
        String at = node;
        while (!parent.get(at).equals(at)) {
            at = parent.get(at);
        }
        return at;
    }
}
