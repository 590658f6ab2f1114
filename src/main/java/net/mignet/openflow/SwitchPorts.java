package net.mignet.openflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.mignet.kernel.RouteLinks;
import net.mignet.kernel.NamespaceThread;
import net.mignet.net.Switch;

/**
 * A switch's ports as OpenFlow numbers them: 1, 2, ... in link order (the order of {@link Switch#ports()}), so
 * the numbers are stable for the life of the emulation. Names are the switch-side interface names.
 */
final class SwitchPorts {
    private final Switch sw;
    private RouteLinks links;

    SwitchPorts(Switch sw) {
        this.sw = sw;
    }

    List<String> names() {
        return sw.ports();
    }

    /** The port's number, or empty when the switch has no port of that name. */
    Optional<Integer> number(String name) {
        int i = sw.ports().indexOf(name);
        return i < 0 ? Optional.empty() : Optional.of(i + 1);
    }

    /** The port's name, or empty when the number is no port of this switch. */
    Optional<String> name(int number) {
        return number >= 1 && number <= sw.ports().size() ? Optional.of(sw.ports().get(number - 1))
                : Optional.empty();
    }

    /** Every port's state and counters, read from the kernel now in one rtnetlink dump. */
    List<PortState> states() {
        List<PortState> states = new ArrayList<>();
        for (RouteLinks.Link link : dump().links()) {
            Optional<Integer> number = link.name() == null ? Optional.empty() : number(link.name());
            if (number.isPresent()) {
                states.add(new PortState(number.get(), link.name(), link.mac(), link.up(), link.rxPackets(),
                        link.txPackets(), link.rxBytes(), link.txBytes(), link.rxDropped(), link.txDropped(),
                        link.rxErrors(), link.txErrors()));
            }
        }
        states.sort(java.util.Comparator.comparingInt(PortState::number));
        return states;
    }

    /** The dump's socket in the switch's namespace, opened when first needed. */
    private synchronized RouteLinks dump() {
        if (links == null) {
            links = NamespaceThread.call(sw.fabricNamespace(), RouteLinks::open);
        }
        return links;
    }

    /** Closes the dump's socket (the agent's end). */
    synchronized void close() {
        if (links != null) {
            links.close();
            links = null;
        }
    }
}
