package net.mignet.migrate;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import net.mignet.app.App;
import net.mignet.kernel.ProcessSockets;
import net.mignet.topo.Ipv4Address;

/**
 * Whose traffic an address of the old host is, when an app moves: the switches' rules send by address, not by
 * port, so moving an address's traffic moves everything sent to it. It goes with the app when the app serves the
 * address (a listening TCP or an unconnected UDP socket of its process tree, bound to it or to all addresses) at
 * least as specifically as anything else on the host, and also when nothing on the host serves it (an app that
 * binds later, as it always did); it stays when only other programs serve it, or serve it more specifically
 * (bound to the address itself, while the app is bound to all addresses).
 */
final class AddressOwners {
    /** How specifically a socket serves an address. */
    private static final int NONE = 0;
    private static final int ALL_ADDRESSES = 1;
    private static final int THIS_ADDRESS = 2;

    /** One address's verdict, and what to tell the user about it (null: nothing worth a line). */
    record Verdict(Ipv4Address address, boolean moves, String note) {
    }

    private AddressOwners() {
    }

    /** The verdict for each of {@code addresses} on {@code app}'s host, from the sockets there now. */
    static List<Verdict> judge(App app, List<Ipv4Address> addresses, String target) {
        if (addresses.isEmpty()) {
            return List.of(); // nothing to decide: spare the walk over the host's sockets
        }
        // One read of the host's tables, split by the sockets the app's tree holds.
        Set<Long> ownInodes = ProcessSockets.inodesOf(app.pid());
        Map<Boolean, List<ProcessSockets.Socket>> split = ProcessSockets.inNamespaceOf(app.pid()).stream()
                .collect(Collectors.partitioningBy(s -> ownInodes.contains(s.inode())));
        List<ProcessSockets.Socket> own = split.get(true);
        List<ProcessSockets.Socket> others = split.get(false);
        String from = app.host().name();
        List<Verdict> verdicts = new ArrayList<>();
        for (Ipv4Address address : addresses) {
            InetAddress a = address.toInetAddress();
            int mine = best(own, a);
            int theirs = best(others, a);
            String ports = String.join(", ", others.stream().filter(s -> theirs > NONE && score(s, a) == theirs)
                    .map(s -> s.protocol() + ":" + s.localPort()).collect(Collectors.toCollection(TreeSet::new)));
            if (mine == NONE && theirs == NONE) {
                verdicts.add(new Verdict(address, true, "!!! nothing on " + from + " serves " + address + " now (no"
                        + " socket listening there or on all addresses); its traffic moves to " + target + " with "
                        + app.name() + " all the same"));
            } else if (mine == NONE) {
                verdicts.add(new Verdict(address, false, "*** " + app.name() + " served nothing on " + address
                        + " (no socket listening there or on all addresses), so that traffic stays with " + from
                        + ", where another program serves it (" + ports + ")"));
            } else if (mine < theirs) {
                verdicts.add(new Verdict(address, false, "*** " + app.name() + " serves " + address + " only as one"
                        + " of all its addresses, and another program on " + from + " is bound to it (" + ports
                        + "), so that traffic stays with " + from));
            } else if (mine == theirs) {
                verdicts.add(new Verdict(address, true, "!!! another program on " + from + " serves " + address
                        + " too (" + ports + "): the rules send by address, not port, so its traffic moves to "
                        + target + " with " + app.name()));
            } else {
                verdicts.add(new Verdict(address, true, null));
            }
        }
        return verdicts;
    }

    private static int best(List<ProcessSockets.Socket> sockets, InetAddress address) {
        return sockets.stream().mapToInt(s -> score(s, address)).max().orElse(NONE);
    }

    private static int score(ProcessSockets.Socket s, InetAddress address) {
        if (!s.serves(address)) {
            return NONE;
        }
        return s.localAddress().equals(address) ? THIS_ADDRESS : ALL_ADDRESSES;
    }
}
