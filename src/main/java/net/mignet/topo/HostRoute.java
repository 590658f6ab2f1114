package net.mignet.topo;

/**
 * A route of a host: frames for {@code destination} go to {@code gateway}, a neighbour on one of the host's own
 * subnets (a router host). Only gateways, never devices: a gateway inside the emulation keeps every route inside
 * it, where a device route could point at an interface that leads out. Whether the gateway is on one of the host's
 * subnets needs the host's links, so {@link RouteGateways} checks that on the whole topology.
 *
 * @param destination a network (no host bits set); {@code 0.0.0.0/0} is the default route
 * @param gateway     the next hop
 */
public record HostRoute(Ipv4Prefix destination, Ipv4Address gateway) {
    public static final Ipv4Prefix DEFAULT = new Ipv4Prefix(new Ipv4Address(0), 0);
    private static final String FORM = "'DESTINATION via GATEWAY', e.g. 'default via 10.0.1.1' or"
            + " '10.0.2.0/24 via 10.0.1.1'";

    public HostRoute {
        if (destination == null || gateway == null) {
            throw new IllegalArgumentException("a route needs a destination and a gateway; write it as " + FORM);
        }
        if (!destination.address().equals(destination.network())) {
            // The kernel would refuse it too ("Invalid prefix for given prefix length"); say which network it was.
            throw new IllegalArgumentException("the destination " + destination + " has host bits set; write the"
                    + " network " + destination.network() + "/" + destination.length());
        }
    }

    /** Parses {@code DEST via GATEWAY}, DEST being {@code default} or a network such as {@code 10.0.2.0/24}. */
    public static HostRoute parse(String text) {
        String[] words = text == null ? new String[0] : text.strip().split("\\s+");
        if (words.length != 3 || !words[1].equals("via")) {
            throw new IllegalArgumentException("route '" + text + "' must be " + FORM);
        }
        try {
            return of(words[0], words[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("route '" + text.strip() + "': " + e.getMessage());
        }
    }

    /** A route from its two parts as written: {@code of("default", "10.0.1.1")}. */
    public static HostRoute of(String destination, String gateway) {
        return new HostRoute(destination(destination), gateway(gateway));
    }

    private static Ipv4Prefix destination(String text) {
        if (text.equals("default")) {
            return DEFAULT;
        }
        try {
            return Ipv4Prefix.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the destination '" + text + "' must be 'default' or a network with"
                    + " its prefix length, e.g. 10.0.2.0/24 (" + e.getMessage() + ")");
        }
    }

    private static Ipv4Address gateway(String text) {
        try {
            return Ipv4Address.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the gateway must be an address such as 10.0.1.1 (" + e.getMessage()
                    + ")");
        }
    }

    public boolean isDefault() {
        return destination.length() == 0;
    }

    /** {@code default} or the network, as {@code ip route} writes it. */
    public String describeDestination() {
        return isDefault() ? "default" : destination.toString();
    }

    /** As written in a topology file: {@code default via 10.0.1.1}. */
    @Override
    public String toString() {
        return describeDestination() + " via " + gateway;
    }
}
