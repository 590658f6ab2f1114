package net.mignet.topo;

/** An IPv4 address as its 32-bit value. */
public record Ipv4Address(int bits) implements Comparable<Ipv4Address> {

    public static Ipv4Address parse(String text) {
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address (write it like 10.0.0.1)");
        }
        int bits = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address (write it like 10.0.0.1)");
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                throw new IllegalArgumentException("'" + text + "' has an octet over 255");
            }
            bits = (bits << 8) | octet;
        }
        return new Ipv4Address(bits);
    }

    public static Ipv4Address ofOctets(int a, int b, int c, int d) {
        return new Ipv4Address((a & 0xff) << 24 | (b & 0xff) << 16 | (c & 0xff) << 8 | (d & 0xff));
    }

    public Ipv4Address plus(int offset) {
        return new Ipv4Address(bits + offset);
    }

    public byte[] toBytes() {
        return new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
    }

    public java.net.InetAddress toInetAddress() {
        try {
            return java.net.InetAddress.getByAddress(toBytes());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }

    @Override
    public int compareTo(Ipv4Address other) {
        return Integer.compareUnsigned(bits, other.bits);
    }

    @Override
    public String toString() {
        return (bits >>> 24) + "." + ((bits >>> 16) & 0xff) + "." + ((bits >>> 8) & 0xff) + "." + (bits & 0xff);
    }
}
