package net.mignet.topo;

import java.util.HexFormat;

/** A 48-bit Ethernet address. */
public record MacAddress(long bits) {

    public MacAddress {
        if ((bits & ~0xffff_ffff_ffffL) != 0) {
            throw new IllegalArgumentException("a MAC address has 48 bits");
        }
    }

    public static MacAddress parse(String text) {
        String[] parts = text.trim().split(":", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("'" + text + "' is not a MAC address (write it like 00:00:00:00:00:12)");
        }
        long bits = 0;
        for (String part : parts) {
            if (part.length() != 2 || !HexFormat.isHexDigit(part.charAt(0)) || !HexFormat.isHexDigit(part.charAt(1))) {
                throw new IllegalArgumentException("'" + text + "' is not a MAC address (write it like 00:00:00:00:00:12)");
            }
            bits = (bits << 8) | Integer.parseInt(part, 16);
        }
        return new MacAddress(bits);
    }

    /** Parses the MAC of an interface, which must be a unicast, non-zero address. */
    public static MacAddress parseInterfaceAddress(String text) {
        MacAddress mac = parse(text);
        String problem = mac.interfaceAddressProblem();
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return mac;
    }

    /**
     * Null when an interface may carry this address; otherwise why not. The kernel refuses multicast and zero
     * addresses on a veth (and broadcast is multicast), so they are refused before anything is built.
     */
    public String interfaceAddressProblem() {
        if (bits == 0) {
            return "MAC " + this + " is all zeros, which no interface may have; write a unicast address such as"
                    + " 00:00:00:00:00:12";
        }
        if ((bits >>> 40 & 1) != 0) {
            return "MAC " + this + " is a " + (bits == 0xffff_ffff_ffffL ? "broadcast" : "multicast") + " address"
                    + " (the lowest bit of its first byte is set); an interface needs a unicast one, e.g. "
                    + new MacAddress(bits & ~(1L << 40));
        }
        return null;
    }

    /** A locally administered unicast address derived from a number, for hosts without a configured MAC. */
    public static MacAddress local(long serial) {
        return new MacAddress(0x02_00_00_00_00_00L | (serial & 0xff_ffff_ffffL));
    }

    public byte[] toBytes() {
        byte[] out = new byte[6];
        for (int i = 0; i < 6; i++) {
            out[i] = (byte) (bits >>> (40 - 8 * i));
        }
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(HexFormat.of().toHexDigits((byte) (bits >>> (40 - 8 * i))));
        }
        return sb.toString();
    }
}
