package net.mignet.openflow;

import java.util.Arrays;
import net.mignet.flow.FlowMatch;
import net.mignet.topo.Ipv4Address;
import net.mignet.topo.Ipv4Prefix;
import net.mignet.topo.MacAddress;

/**
 * The common OpenFlow 1.3 flow add read straight from its bytes: command ADD into table 0, no buffer, no flag but
 * send-flow-removed, and a match of exact in_port, MACs, EtherType, IP protocol, IPv4 addresses and TCP/UDP ports
 * whose prerequisites hold. A controller's burst is mostly such adds; reading them this way skips the codec's
 * message, match and instruction objects, which were most of the agent's work per flow (and much of what the JIT
 * compiles while the first bursts arrive). Anything else, including every malformed or refused request, is left to
 * the codec ({@link #read} returns null), which answers it as before.
 *
 * @param instructionsFrom where the instructions begin in the message
 */
record FlowAddBytes(long cookie, int idleTimeout, int hardTimeout, int priority, boolean sendFlowRemoved,
        FlowMatch match, int instructionsFrom) {
    private static final int WIRE_13 = 4;
    private static final int FLOW_MOD = 14;
    private static final int HEADER = 48;
    private static final int OXM_BASIC = 0x8000;
    private static final int MATCH_OXM = 1;
    private static final int SEND_FLOW_REM = 1;
    private static final int NO_BUFFER = 0xffffffff;
    private static final int IN_PORT = 0;
    private static final int ETH_DST = 3;
    private static final int ETH_SRC = 4;
    private static final int ETH_TYPE = 5;
    private static final int IP_PROTO = 10;
    private static final int IPV4_SRC = 11;
    private static final int IPV4_DST = 12;
    private static final int TCP_SRC = 13;
    private static final int TCP_DST = 14;
    private static final int UDP_SRC = 15;
    private static final int UDP_DST = 16;
    /** The value length of each field read here, by field number (0: not read here). */
    private static final int[] LENGTHS = {4, 0, 0, 6, 6, 2, 0, 0, 0, 0, 1, 4, 4, 2, 2, 2, 2};

    /** The add in {@code m} when it is the common case described above, else null. */
    static FlowAddBytes read(byte[] m, SwitchPorts ports) {
        if (m.length < HEADER + 8 || (m[0] & 0xff) != WIRE_13 || (m[1] & 0xff) != FLOW_MOD || u16(m, 2) != m.length
                || m[24] != 0 || m[25] != 0 || i32(m, 32) != NO_BUFFER || (u16(m, 44) & ~SEND_FLOW_REM) != 0
                || u16(m, HEADER) != MATCH_OXM) {
            return null;
        }
        int matchLength = u16(m, HEADER + 2);
        int instructionsFrom = HEADER + (matchLength + 7) / 8 * 8;
        if (matchLength < 4 || instructionsFrom > m.length) {
            return null;
        }
        FlowMatch match = match(m, HEADER + 4, HEADER + matchLength, ports);
        if (match == null) {
            return null;
        }
        return new FlowAddBytes(i64(m, 8), u16(m, 26), u16(m, 28), u16(m, 30), (u16(m, 44) & SEND_FLOW_REM) != 0,
                match, instructionsFrom);
    }

    /** The instructions' bytes of the flow mod. */
    byte[] instructions(byte[] m) {
        return Arrays.copyOfRange(m, instructionsFrom, m.length);
    }

    /** Whether the flow mod's instructions are {@code instructions}, byte for byte. */
    boolean sameInstructions(byte[] m, byte[] instructions) {
        return instructions != null
                && Arrays.equals(m, instructionsFrom, m.length, instructions, 0, instructions.length);
    }

    /** The match of the OXM fields in {@code m[from, to)}, or null when one is not of the common case. */
    private static FlowMatch match(byte[] m, int from, int to, SwitchPorts ports) {
        int seen = 0;
        long[] values = new long[LENGTHS.length];
        for (int at = from; at < to; ) {
            if (at + 4 > to || u16(m, at) != OXM_BASIC) {
                return null;
            }
            int field = (m[at + 2] & 0xff) >>> 1;
            boolean masked = (m[at + 2] & 1) != 0;
            int length = m[at + 3] & 0xff;
            if (masked || field >= LENGTHS.length || LENGTHS[field] == 0 || LENGTHS[field] != length
                    || at + 4 + length > to || (seen & (1 << field)) != 0) {
                return null;
            }
            long value = 0;
            for (int i = 0; i < length; i++) {
                value = (value << 8) | (m[at + 4 + i] & 0xff);
            }
            values[field] = value;
            seen |= 1 << field;
            at += 4 + length;
        }
        return toMatch(seen, values, ports);
    }

    private static FlowMatch toMatch(int seen, long[] v, SwitchPorts ports) {
        boolean ethType = has(seen, ETH_TYPE);
        boolean ipv4 = ethType && v[ETH_TYPE] == 0x0800;
        int proto = has(seen, IP_PROTO) ? (int) v[IP_PROTO] : -1;
        // The codec drops a field whose prerequisites are missing; such requests are left to it.
        if ((has(seen, IP_PROTO) && !(ipv4 || (ethType && v[ETH_TYPE] == 0x86dd)))
                || ((has(seen, IPV4_SRC) || has(seen, IPV4_DST)) && !ipv4)
                || ((has(seen, TCP_SRC) || has(seen, TCP_DST)) && proto != 6)
                || ((has(seen, UDP_SRC) || has(seen, UDP_DST)) && proto != 17)) {
            return null;
        }
        String inPort = null;
        if (has(seen, IN_PORT)) {
            long n = v[IN_PORT];
            inPort = n > Integer.MAX_VALUE ? null : ports.name((int) n).orElse(null);
            if (inPort == null) {
                return null;
            }
        }
        return new FlowMatch(inPort,
                has(seen, ETH_SRC) ? new MacAddress(v[ETH_SRC]) : null,
                has(seen, ETH_DST) ? new MacAddress(v[ETH_DST]) : null,
                ethType ? (int) v[ETH_TYPE] : null,
                has(seen, IPV4_SRC) ? new Ipv4Prefix(new Ipv4Address((int) v[IPV4_SRC]), 32) : null,
                has(seen, IPV4_DST) ? new Ipv4Prefix(new Ipv4Address((int) v[IPV4_DST]), 32) : null,
                proto >= 0 ? proto : null,
                port(seen, v, TCP_SRC, UDP_SRC), port(seen, v, TCP_DST, UDP_DST),
                null, null);
    }

    private static Integer port(int seen, long[] v, int tcp, int udp) {
        return has(seen, tcp) ? Integer.valueOf((int) v[tcp]) : has(seen, udp) ? Integer.valueOf((int) v[udp]) : null;
    }

    private static boolean has(int seen, int field) {
        return (seen & (1 << field)) != 0;
    }

    private static int u16(byte[] m, int at) {
        return ((m[at] & 0xff) << 8) | (m[at + 1] & 0xff);
    }

    private static int i32(byte[] m, int at) {
        return (u16(m, at) << 16) | u16(m, at + 2);
    }

    private static long i64(byte[] m, int at) {
        return ((long) i32(m, at) << 32) | (i32(m, at + 4) & 0xffff_ffffL);
    }
}
