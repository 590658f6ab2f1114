package net.mignet.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * How many frames wait in one device's root qdisc (e.g. a rate limit's tbf), asked over a rtnetlink socket opened
 * once in the device's namespace and usable from any thread afterwards: a migration's drain asks it every
 * millisecond, and {@code tc -s qdisc} would cost a process each time.
 */
public final class RootQdiscLength implements AutoCloseable {
    private static final int NETLINK_ROUTE = 0;
    private static final int RTM_NEWQDISC = 36;
    private static final int RTM_GETQDISC = 38;
    private static final int NLMSG_ERROR = 2;
    private static final int NLM_F_REQUEST = 1;
    /** Without it the kernel sends a qdisc asked for only to the tc multicast group, not back to the asker. */
    private static final int NLM_F_ECHO = 8;
    private static final int TC_H_ROOT = 0xFFFFFFFF;
    private static final int TCMSG_LENGTH = 20;
    private static final int TCA_STATS = 3;
    private static final int TCA_STATS2 = 7;
    private static final int TCA_STATS_QUEUE = 3;
    /** struct tc_stats: bytes (u64), packets, drops, overlimits, bps, pps, qlen, backlog (u32 each). */
    private static final int TC_STATS_QLEN = 28;
    private static final int ENOENT = 2;
    /** What the kernel answers for a built-in qdisc it never reports, as a veth's {@code noqueue}. */
    private static final int EINVAL = 22;

    private final int fd;
    private final int ifindex;
    private final String device;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment request;
    private final MemorySegment response = arena.allocate(1 << 14);
    private int sequence;

    private RootQdiscLength(int fd, int ifindex, String device) {
        this.fd = fd;
        this.ifindex = ifindex;
        this.device = device;
        this.request = arena.allocate(16 + TCMSG_LENGTH);
    }

    /** Opens the query for {@code device} in {@code namespace}. */
    public static RootQdiscLength open(String namespace, String device) {
        return NamespaceThread.call(namespace, () -> {
            int index;
            try (RouteLinks links = RouteLinks.open()) {
                index = links.indexOf(device);
            }
            return new RootQdiscLength(Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC,
                    NETLINK_ROUTE), index, device);
        });
    }

    /** Frames in the device's root qdisc now (0 for a device without one of its own, e.g. {@code noqueue}). */
    public synchronized int frames() {
        int seq = ++sequence;
        request.fill((byte) 0);
        request.set(ValueLayout.JAVA_INT_UNALIGNED, 0, 16 + TCMSG_LENGTH);
        request.set(ValueLayout.JAVA_SHORT_UNALIGNED, 4, (short) RTM_GETQDISC);
        request.set(ValueLayout.JAVA_SHORT_UNALIGNED, 6, (short) (NLM_F_REQUEST | NLM_F_ECHO));
        request.set(ValueLayout.JAVA_INT_UNALIGNED, 8, seq);
        // struct tcmsg: family, pads, ifindex, handle, parent, info.
        request.set(ValueLayout.JAVA_INT_UNALIGNED, 16 + 4, ifindex);
        request.set(ValueLayout.JAVA_INT_UNALIGNED, 16 + 12, TC_H_ROOT);
        Libc.send(fd, request, request.byteSize());
        while (true) {
            long n = Libc.recv(fd, response, response.byteSize());
            for (long offset = 0; offset + 16 <= n; ) {
                int length = response.get(ValueLayout.JAVA_INT_UNALIGNED, offset);
                int type = response.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset + 4) & 0xffff;
                int s = response.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 8);
                if (length < 16) {
                    break;
                }
                if (s == seq && type == RTM_NEWQDISC) {
                    return queueLength(offset + 16 + TCMSG_LENGTH, offset + length);
                }
                if (s == seq && type == NLMSG_ERROR) {
                    int error = response.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 16);
                    if (error == -ENOENT || error == -EINVAL) {
                        return 0;
                    }
                    throw new IllegalStateException("cannot read the qdisc of " + device + ": "
                            + NativeCalls.strerror(-error));
                }
                offset += NetlinkMessages.align(length);
            }
        }
    }

    /** The qlen of TCA_STATS2/TCA_STATS_QUEUE, else of the old TCA_STATS, among the attributes in [from, to). */
    private int queueLength(long from, long to) {
        int old = -1;
        for (long a = from; a + 4 <= to; ) {
            int length = response.get(ValueLayout.JAVA_SHORT_UNALIGNED, a) & 0xffff;
            int type = response.get(ValueLayout.JAVA_SHORT_UNALIGNED, a + 2) & 0x3fff;
            if (length < 4) {
                break;
            }
            if (type == TCA_STATS2) {
                for (long b = a + 4; b + 4 <= a + length; ) {
                    int l = response.get(ValueLayout.JAVA_SHORT_UNALIGNED, b) & 0xffff;
                    int t = response.get(ValueLayout.JAVA_SHORT_UNALIGNED, b + 2) & 0x3fff;
                    if (l < 4) {
                        break;
                    }
                    if (t == TCA_STATS_QUEUE && l >= 8) {
                        return response.get(ValueLayout.JAVA_INT_UNALIGNED, b + 4);
                    }
                    b += NetlinkMessages.align(l);
                }
            } else if (type == TCA_STATS && length >= 4 + TC_STATS_QLEN + 4) {
                old = response.get(ValueLayout.JAVA_INT_UNALIGNED, a + 4 + TC_STATS_QLEN);
            }
            a += NetlinkMessages.align(length);
        }
        if (old < 0) {
            throw new IllegalStateException("the kernel reported no queue length for the qdisc of " + device);
        }
        return old;
    }

    @Override
    public void close() {
        NativeCalls.close(fd);
        arena.close();
    }
}
