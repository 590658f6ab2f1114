package net.mignet.topo;

/**
 * An interface address with its prefix length, as written in CIDR form: {@code 10.0.0.12/24}.
 * The host bits are kept: this names an address on a subnet, not only the subnet.
 */
public record Ipv4Prefix(Ipv4Address address, int length) {

    public Ipv4Prefix {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("prefix length " + length + " is outside 0..32");
        }
    }

    /** Parses {@code a.b.c.d/len}; a bare address is refused because the subnet decides what is reachable. */
    public static Ipv4Prefix parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' has no prefix length (write it like 10.0.0.1/24)");
        }
        Ipv4Address address = Ipv4Address.parse(t.substring(0, slash));
        String len = t.substring(slash + 1);
        if (len.isEmpty() || len.length() > 2 || !len.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("'" + text + "' has a bad prefix length (write it like 10.0.0.1/24)");
        }
        int length = Integer.parseInt(len);
        if (length > 32) {
            throw new IllegalArgumentException("'" + text + "' has a prefix length over 32");
        }
        return new Ipv4Prefix(address, length);
    }

    /** Parses the address of a host interface: a usable unicast address on a subnet ({@link #hostAddressProblem}). */
    public static Ipv4Prefix parseHostAddress(String text) {
        Ipv4Prefix p = parse(text);
        String problem = p.hostAddressProblem();
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return p;
    }

    /**
     * Null when a host interface may carry this address, else why not: unspecified (0.0.0.0/8), loopback
     * (127/8), multicast (224/4), reserved and broadcast (240/4) addresses, the whole address space as one
     * subnet (/0), and a subnet's own network and broadcast addresses, none of which reach a single host.
     */
    public String hostAddressProblem() {
        int first = address.bits() >>> 24;
        String why = null;
        if (first == 0) {
            why = "is in 0.0.0.0/8, which means 'this network', not a host";
        } else if (first == 127) {
            why = "is a loopback address (127.0.0.0/8), which every host already has on lo";
        } else if (first >= 224 && first <= 239) {
            why = "is a multicast address (224.0.0.0/4)";
        } else if (first >= 240) {
            why = "is reserved (240.0.0.0/4, with the broadcast address 255.255.255.255)";
        } else if (length == 0) {
            why = "has prefix length 0, which makes every address of the internet one subnet";
        } else if (length <= 30 && address.bits() == network().bits()) {
            why = "is the network address of its subnet " + network() + "/" + length;
        } else if (length <= 30 && address.bits() == (network().bits() | ~netmaskBits())) {
            why = "is the broadcast address of its subnet " + network() + "/" + length;
        }
        return why == null ? null : "address " + this + " " + why + "; give the host a unicast address such as"
                + " 10.0.0.1/24";
    }

    public int netmaskBits() {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    public Ipv4Address network() {
        return new Ipv4Address(address.bits() & netmaskBits());
    }

    public boolean contains(Ipv4Address other) {
        return (other.bits() & netmaskBits()) == network().bits();
    }

    @Override
    public String toString() {
        return address + "/" + length;
    }
}
