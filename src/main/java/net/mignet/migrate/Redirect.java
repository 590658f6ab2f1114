package net.mignet.migrate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import net.mignet.flow.FlowAction;
import net.mignet.flow.FlowRuleFormatter;
import net.mignet.net.Emulation;
import net.mignet.net.FlowEntry;
import net.mignet.net.Host;
import net.mignet.net.Switch;
import net.mignet.topo.Ipv4Address;
import net.mignet.topo.LinkEnd;
import net.mignet.topo.LinkSpec;
import net.mignet.topo.NodeKind;

/**
 * The flow changes that send a service's traffic to its new host. By default: every rule that outputs to the
 * switch port of an old-host interface whose address the new host also carries (the service address, like the
 * scenario's shared 10.0.0.12), and on which the moving app serves, outputs to the new host's port with that
 * address instead. An app that serves nothing there (a helper, a client) moves without the service's traffic,
 * which stays with whatever serves it on the old host.
 */
final class Redirect {
    /**
     * One switch's changes: rule ids with their new actions, the actions they had, and the text of each change
     * for the report.
     */
    record SwitchChanges(Switch sw, Map<Long, FlowAction> actions, Map<Long, FlowAction> previous,
            List<String> described, Map<String, String> portSwaps) {
    }

    private Redirect() {
    }

    /** An interface of the old host and the new host's interface with the same address. */
    record SharedInterface(LinkEnd old, LinkEnd moved) {
    }

    /** Each old-host interface with an address the new host carries too, with (the first) such interface. */
    static List<SharedInterface> sharedInterfaces(Host from, Host to) {
        List<SharedInterface> shared = new ArrayList<>();
        for (LinkEnd oldIntf : from.interfaces()) {
            if (oldIntf.ip() == null) {
                continue;
            }
            to.interfaces().stream().filter(i -> i.ip() != null && i.ip().address().equals(oldIntf.ip().address()))
                    .findFirst().ifPresent(same -> shared.add(new SharedInterface(oldIntf, same)));
        }
        return shared;
    }

    /**
     * The addresses both hosts carry (the service addresses) whose traffic the switches' rules send to the old
     * host now, in the old host's interface order: only those can move.
     */
    static List<Ipv4Address> routedToOld(Emulation net, Host from, Host to) {
        Set<Ipv4Address> routed = new LinkedHashSet<>();
        for (SharedInterface shared : sharedInterfaces(from, to)) {
            LinkEnd oldPort = switchPortOf(net, shared.old());
            if (oldPort != null && net.switchNamed(oldPort.node()).flowTable().entries().stream()
                    .anyMatch(e -> e.rule().action().outputPorts().contains(oldPort.interfaceName()))) {
                routed.add(shared.old().ip().address());
            }
        }
        return List.copyOf(routed);
    }

    /** The changes for an app on {@code from} whose traffic to the addresses {@code moving} accepts moves. */
    static List<SwitchChanges> plan(Emulation net, Host from, Host to, Predicate<Ipv4Address> moving) {
        Map<String, Map<String, String>> portSwaps = new HashMap<>(); // switch -> old port -> new port
        for (SharedInterface shared : sharedInterfaces(from, to)) {
            if (!moving.test(shared.old().ip().address())) {
                continue;
            }
            LinkEnd oldPort = switchPortOf(net, shared.old());
            LinkEnd newPort = switchPortOf(net, shared.moved());
            if (oldPort != null && newPort != null && oldPort.node().equals(newPort.node())) {
                portSwaps.computeIfAbsent(oldPort.node(), k -> new HashMap<>())
                        .put(oldPort.interfaceName(), newPort.interfaceName());
            }
        }
        List<SwitchChanges> changes = new ArrayList<>();
        portSwaps.forEach((switchName, swaps) -> {
            Switch sw = net.switchNamed(switchName);
            Map<Long, FlowAction> actions = new LinkedHashMap<>();
            Map<Long, FlowAction> previous = new LinkedHashMap<>();
            List<String> described = new ArrayList<>();
            for (FlowEntry e : sw.flowTable().entries()) {
                FlowAction out = e.rule().action();
                if (out.outputPorts().stream().anyMatch(swaps::containsKey)) {
                    FlowAction moved = out.withPortsMoved(swaps);
                    actions.put(e.id(), moved);
                    previous.put(e.id(), out);
                    described.add(switchName + ": " + FlowRuleFormatter.format(
                            e.rule().withAction(moved)));
                }
            }
            if (!actions.isEmpty()) {
                changes.add(new SwitchChanges(sw, actions, previous, described, Map.copyOf(swaps)));
            }
        });
        return changes;
    }

    /** The switch side of the link on which a host interface sits, or null when it is not on a switch. */
    static LinkEnd switchPortOf(Emulation net, LinkEnd hostInterface) {
        for (LinkSpec l : net.topology().links()) {
            LinkEnd other = null;
            if (l.a().node().equals(hostInterface.node()) && l.a().interfaceName().equals(hostInterface.interfaceName())) {
                other = l.b();
            } else if (l.b().node().equals(hostInterface.node())
                    && l.b().interfaceName().equals(hostInterface.interfaceName())) {
                other = l.a();
            }
            if (other != null) {
                return net.topology().kindOf(other.node()).orElseThrow() == NodeKind.SWITCH ? other : null;
            }
        }
        return null;
    }

    /** The changes that put the rules back as they were. */
    static List<SwitchChanges> undo(List<SwitchChanges> changes) {
        return changes.stream().map(c -> new SwitchChanges(c.sw(), c.previous(), c.actions(), List.of(), c.portSwaps())).toList();
    }

    static void apply(List<SwitchChanges> changes) {
        for (SwitchChanges c : changes) {
            c.sw().flowTable().replaceActions(c.actions());
        }
    }
}
