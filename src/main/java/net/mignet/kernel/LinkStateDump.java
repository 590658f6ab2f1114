package net.mignet.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Every interface of a namespace with its MAC, whether it is up and its counters, from one rtnetlink dump over a
 * socket opened once in the namespace: what {@code ip -s link show} prints, without starting {@code ip} (and
 * parsing its output) for each OpenFlow port description, which {@code ovs-ofctl} asks for before every flow change.
 */
public final class LinkStateDump implements AutoCloseable {
    private static final int NETLINK_ROUTE = 0;
    private static final int RTM_GETLINK = 18;
    private static final int RTM_NEWLINK = 16;
    private static final int NLMSG_ERROR = 2;
    private static final int NLMSG_DONE = 3;
    private static final int NLM_F_REQUEST = 1;
    private static final int NLM_F_DUMP = 0x300;
    private static final int IFLA_ADDRESS = 1;
    private static final int IFLA_IFNAME = 3;
    private static final int IFLA_STATS64 = 23;
    private static final int IFF_UP = 0x1;
    private static final int IFF_LOWER_UP = 0x10000;
    private static final int HEADER = 16;
    private static final int IFINFO = 16;

    /** One interface: up means administratively up with its carrier (IFF_UP and IFF_LOWER_UP). */
    public record Link(String name, long mac, boolean up, long rxPackets, long txPackets, long rxBytes,
            long txBytes, long rxErrors, long txErrors, long rxDropped, long txDropped) {
    }

    private final int fd;
    private int sequence;

    private LinkStateDump(int fd) {
        this.fd = fd;
    }

    /** Opens the socket in the calling thread's network namespace. */
    public static LinkStateDump open() {
        return new LinkStateDump(Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, NETLINK_ROUTE));
    }

    /** Every interface of the namespace, in the kernel's order. */
    public synchronized List<Link> links() {
        NetlinkMessages m = new NetlinkMessages(64);
        // struct ifinfomsg follows the header (16 bytes, all zero: every family, every interface); begin() writes
        // its first 4 bytes.
        int start = m.begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, ++sequence, 0, 0);
        m.raw(new byte[IFINFO - 4]);
        m.end(start);
        byte[] request = m.toArray();
        List<Link> links = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(request.length);
            MemorySegment.copy(MemorySegment.ofArray(request), 0, out, 0, request.length);
            Libc.send(fd, out, request.length);
            MemorySegment in = arena.allocate(1 << 16);
            while (true) {
                long n = Libc.recv(fd, in, in.byteSize());
                for (long offset = 0; offset + HEADER <= n; ) {
                    int length = in.get(ValueLayout.JAVA_INT_UNALIGNED, offset);
                    int type = in.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset + 4) & 0xffff;
                    int seq = in.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 8);
                    if (length < HEADER) {
                        break;
                    }
                    if (seq == sequence) {
                        if (type == NLMSG_DONE) {
                            return links;
                        }
                        if (type == NLMSG_ERROR) {
                            int error = in.get(ValueLayout.JAVA_INT_UNALIGNED, offset + HEADER);
                            throw new IllegalStateException("cannot list the interfaces: "
                                    + NativeCalls.strerror(-error));
                        }
                        if (type == RTM_NEWLINK) {
                            links.add(link(in, offset, length));
                        }
                    }
                    offset += NetlinkMessages.align(length);
                }
            }
        }
    }

    private static Link link(MemorySegment in, long offset, int length) {
        int flags = in.get(ValueLayout.JAVA_INT_UNALIGNED, offset + HEADER + 8);
        String name = null;
        long mac = 0;
        long[] stats = new long[8];
        long end = offset + length;
        for (long a = offset + HEADER + IFINFO; a + 4 <= end; ) {
            int alen = in.get(ValueLayout.JAVA_SHORT_UNALIGNED, a) & 0xffff;
            int atype = in.get(ValueLayout.JAVA_SHORT_UNALIGNED, a + 2) & 0x3fff;
            if (alen < 4 || a + alen > end) {
                break;
            }
            long value = a + 4;
            int vlen = alen - 4;
            switch (atype) {
                case IFLA_IFNAME -> {
                    byte[] b = in.asSlice(value, vlen).toArray(ValueLayout.JAVA_BYTE);
                    int z = 0;
                    while (z < b.length && b[z] != 0) {
                        z++;
                    }
                    name = new String(b, 0, z, StandardCharsets.UTF_8);
                }
                case IFLA_ADDRESS -> {
                    if (vlen == 6) {
                        for (int i = 0; i < 6; i++) {
                            mac = (mac << 8) | (in.get(ValueLayout.JAVA_BYTE, value + i) & 0xff);
                        }
                    }
                }
                case IFLA_STATS64 -> {
                    // struct rtnl_link_stats64 begins: rx/tx packets, rx/tx bytes, rx/tx errors, rx/tx dropped.
                    for (int i = 0; i < stats.length && (i + 1) * 8 <= vlen; i++) {
                        stats[i] = in.get(ValueLayout.JAVA_LONG_UNALIGNED, value + i * 8L);
                    }
                }
                default -> {
                }
            }
            a += NetlinkMessages.align(alen);
        }
        boolean up = (flags & IFF_UP) != 0 && (flags & IFF_LOWER_UP) != 0;
        return new Link(name, mac, up, stats[0], stats[1], stats[2], stats[3], stats[4], stats[5], stats[6],
                stats[7]);
    }

    @Override
    public void close() {
        NativeCalls.close(fd);
    }
}
