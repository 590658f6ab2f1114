package net.mignet.kernel;

import net.mignet.topo.Ipv4Address;

/** Where a CRIU page server listens or is reached: an IPv4 address of an emulated host and a TCP port. */
public record CriuEndpoint(String address, int port) {
    public CriuEndpoint {
        Ipv4Address.parse(address); // only addresses reach criu's command line
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not a TCP port (1-65535)");
        }
    }

    @Override
    public String toString() {
        return address + ":" + port;
    }
}
