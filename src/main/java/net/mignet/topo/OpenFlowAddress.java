package net.mignet.topo;

/**
 * Where an OpenFlow agent listens or its controller is: a loopback address and a TCP port. Other addresses are
 * refused, so no machine outside the emulation can program its switches and the switches talk to no other.
 */
public record OpenFlowAddress(Ipv4Address host, int port) {
    public OpenFlowAddress {
        if ((host.bits() >>> 24) != 127) {
            throw new IllegalArgumentException("address " + host + " is not a loopback address (127.0.0.0/8): OpenFlow"
                    + " listeners and controllers stay on this machine's loopback");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " must be within 1..65535");
        }
    }

    /** Parses {@code 127.0.0.1:6634}. */
    public static OpenFlowAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + text + "' must be ADDRESS:PORT, e.g. 127.0.0.1:6634");
        }
        String host = text.substring(0, colon).trim();
        Ipv4Address address;
        if (host.equals("localhost")) {
            address = Ipv4Address.parse("127.0.0.1");
        } else {
            try {
                address = Ipv4Address.parse(host);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + host + "' in '" + text + "' is no IPv4 address; write e.g."
                        + " 127.0.0.1:6634");
            }
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port '" + text.substring(colon + 1) + "' in '" + text
                    + "' is no number; write e.g. 127.0.0.1:6634");
        }
        return new OpenFlowAddress(address, port);
    }

    /** Parses a controller target, {@code tcp:127.0.0.1:6653}. */
    public static OpenFlowAddress parseController(String text) {
        if (!text.startsWith("tcp:")) {
            throw new IllegalArgumentException("controller '" + text + "' must be tcp:ADDRESS:PORT, e.g."
                    + " tcp:127.0.0.1:6653");
        }
        return parse(text.substring("tcp:".length()));
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
