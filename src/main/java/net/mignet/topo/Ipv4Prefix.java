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
