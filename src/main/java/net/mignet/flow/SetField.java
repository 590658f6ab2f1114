package net.mignet.flow;

import net.mignet.topo.Ipv4Address;
import net.mignet.topo.MacAddress;

/**
 * A header field a rule rewrites before its action, as OpenFlow's set-field (ovs-ofctl's {@code mod_dl_src},
 * {@code mod_dl_dst}, {@code mod_nw_src}, {@code mod_nw_dst}, {@code set_field:V->F}). IPv4 rewrites fix the IPv4
 * header checksum and the TCP or UDP checksum.
 */
public sealed interface SetField {

    record EthSrc(MacAddress mac) implements SetField {
    }

    record EthDst(MacAddress mac) implements SetField {
    }

    record Ipv4Src(Ipv4Address address) implements SetField {
    }

    record Ipv4Dst(Ipv4Address address) implements SetField {
    }

    /** Whether the field is in the IPv4 header, so only IPv4 frames may be rewritten. */
    default boolean needsIpv4() {
        return this instanceof Ipv4Src || this instanceof Ipv4Dst;
    }
}
