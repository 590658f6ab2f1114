package net.mignet.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The interfaces of one namespace over a rtnetlink socket opened once in it and usable from any thread: an index by
 * name (a flow rule that forwards to a device names it by index) and every interface with its MAC, state and
 * counters (what {@code ip -s link show} prints, which OpenFlow's port descriptions need before every
 * {@code ovs-ofctl} flow change). Entering the namespace or starting {@code ip} for each would add to a migration's
 * flow change and to each controller request.
 */
public final class RouteLinks implements AutoCloseable {
    private static final int NETLINK_ROUTE = 0;
    private static final int RTM_GETLINK = 18;
    private static final int RTM_NEWLINK = 16;
    private static final int NLMSG_ERROR = 2;
    private static final int NLMSG_DONE = 3;
    private static final int NLM_F_REQUEST = 1;
    private static final int NLM_F_DUMP = 0x300;
    private static final int IFLA_ADDRESS = 1;
    private static final int IFLA_IFNAME = 3;
    private static final int IFLA_OPERSTATE = 16;
    private static final int IFLA_STATS64 = 23;
    private static final int IF_OPER_TESTING = 4;
    private static final int IF_OPER_DORMANT = 5;
    private static final int IFF_UP = 0x1;
    private static final int IFF_RUNNING = 0x40;
    private static final int IFF_LOWER_UP = 0x10000;
    private static final int ENODEV = 19;
    private static final int HEADER = 16;
    private static final int IFINFO = 16;

    /**
     * One interface: up means administratively up with its carrier (IFF_UP and IFF_LOWER_UP); awaitingLinkWatch
     * means up, but the kernel's link watch has not yet taken the carrier into service (no IFF_RUNNING), see
     * {@link LinkWatch}.
     */
    public record Link(String name, long mac, boolean up, boolean awaitingLinkWatch, long rxPackets, long txPackets,
            long rxBytes, long txBytes, long rxErrors, long txErrors, long rxDropped, long txDropped) {
    }

    /** The kernel's refusal of a request, with its errno. */
    public static final class Refused extends IllegalStateException {
        private final int errno;

        Refused(String message, int errno) {
            super(message);
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }

    /** Reads one answer of the exchange's sequence; returns true when the exchange is complete. */
    private interface Answer {
        boolean read(MemorySegment in, long offset, int type, int length);
    }

    private final int fd;
    private int sequence;

    private RouteLinks(int fd) {
        this.fd = fd;
    }

    /** Opens the socket in the calling thread's network namespace. */
    public static RouteLinks open() {
        return new RouteLinks(Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, NETLINK_ROUTE));
    }

    /** The index of interface {@code name}; throws when the namespace has none of that name. */
    public synchronized int indexOf(String name) {
        int[] index = new int[1];
        exchange(requestNamed(name), "no interface named " + name, (in, offset, type, length) -> {
            if (type != RTM_NEWLINK) {
                return false;
            }
            index[0] = in.get(ValueLayout.JAVA_INT_UNALIGNED, offset + HEADER + 4);
            return true;
        });
        return index[0];
    }

    /**
     * Interface {@code name} as a dump shows it, asked for alone; empty when the namespace has none of that name.
     * Since Linux 6.8 the kernel first runs the interface's pending link watch (see {@link LinkWatch}).
     */
    public synchronized Optional<Link> link(String name) {
        Link[] found = new Link[1];
        try {
            exchange(requestNamed(name), "cannot ask for interface " + name, (in, offset, type, length) -> {
                if (type != RTM_NEWLINK) {
                    return false;
                }
                found[0] = link(in, offset, length);
                return true;
            });
        } catch (Refused e) {
            if (e.errno() == ENODEV) {
                return Optional.empty();
            }
            throw e;
        }
        return Optional.of(found[0]);
    }

    /** An RTM_GETLINK request for the one interface called {@code name}. */
    private NetlinkMessages requestNamed(String name) {
        NetlinkMessages m = new NetlinkMessages(256);
        int start = request(m, NLM_F_REQUEST);
        m.string(IFLA_IFNAME, name);
        m.end(start);
        return m;
    }

    /** Every interface of the namespace, in the kernel's order. */
    public synchronized List<Link> links() {
        NetlinkMessages m = new NetlinkMessages(64);
        m.end(request(m, NLM_F_REQUEST | NLM_F_DUMP));
        List<Link> links = new ArrayList<>();
        exchange(m, "cannot list the interfaces", (in, offset, type, length) -> {
            if (type == RTM_NEWLINK) {
                links.add(link(in, offset, length));
            }
            return type == NLMSG_DONE;
        });
        return links;
    }

    /** Begins an RTM_GETLINK request with its struct ifinfomsg (16 bytes, all zero: any family, any index). */
    private int request(NetlinkMessages m, int flags) {
        // begin() writes the first 4 bytes of what follows the header as nfgenmsg-shaped zeros.
        int start = m.begin(RTM_GETLINK, flags, ++sequence, 0, 0);
        m.raw(new byte[IFINFO - 4]);
        return start;
    }

    /** Sends the request and hands each answer of its sequence to {@code answer} until it says the end came. */
    private void exchange(NetlinkMessages m, String refused, Answer answer) {
        byte[] request = m.toArray();
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
                    if (seq == sequence && type == NLMSG_ERROR) {
                        int error = in.get(ValueLayout.JAVA_INT_UNALIGNED, offset + HEADER);
                        throw new Refused(refused + " (" + NativeCalls.strerror(-error) + ")", -error);
                    }
                    if (seq == sequence && answer.read(in, offset, type, length)) {
                        return;
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
        int operstate = 0;
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
                case IFLA_IFNAME -> name = cString(in.asSlice(value, vlen).toArray(ValueLayout.JAVA_BYTE));
                case IFLA_ADDRESS -> {
                    if (vlen == 6) {
                        for (int i = 0; i < 6; i++) {
                            mac = (mac << 8) | (in.get(ValueLayout.JAVA_BYTE, value + i) & 0xff);
                        }
                    }
                }
                case IFLA_OPERSTATE -> operstate = in.get(ValueLayout.JAVA_BYTE, value) & 0xff;
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
        // Dormant or testing (link mode, or the driver's say) is not running by design; link watch leaves it so.
        boolean awaiting = up && (flags & IFF_RUNNING) == 0 && operstate != IF_OPER_DORMANT
                && operstate != IF_OPER_TESTING;
        return new Link(name, mac, up, awaiting, stats[0], stats[1], stats[2], stats[3], stats[4], stats[5],
                stats[6], stats[7]);
    }

    private static String cString(byte[] b) {
        int z = 0;
        while (z < b.length && b[z] != 0) {
            z++;
        }
        return new String(b, 0, z, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        NativeCalls.close(fd);
    }
}
