package net.mignet.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Interface indexes by name over a rtnetlink socket opened once in a namespace, usable from any thread: a flow rule
 * that forwards to a device names it by index, and entering the namespace for each lookup (a thread and a setns)
 * would add to a migration's flow change.
 */
public final class LinkIndexQuery implements AutoCloseable {
    private static final int NETLINK_ROUTE = 0;
    private static final int RTM_GETLINK = 18;
    private static final int RTM_NEWLINK = 16;
    private static final int NLMSG_ERROR = 2;
    private static final int NLM_F_REQUEST = 1;
    private static final int IFLA_IFNAME = 3;

    private final int fd;
    private int sequence;

    private LinkIndexQuery(int fd) {
        this.fd = fd;
    }

    /** Opens the socket in the calling thread's network namespace. */
    public static LinkIndexQuery open() {
        return new LinkIndexQuery(Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, NETLINK_ROUTE));
    }

    /** The index of interface {@code name}; throws when the namespace has none of that name. */
    public synchronized int indexOf(String name) {
        NetlinkMessages m = new NetlinkMessages(256);
        // struct ifinfomsg follows the header: family, pad, type, index, flags, change (16 bytes, all zero here);
        // begin() writes its first 4 bytes as nfgenmsg-shaped zeros.
        int start = m.begin(RTM_GETLINK, NLM_F_REQUEST, ++sequence, 0, 0);
        m.raw(new byte[12]);
        m.string(IFLA_IFNAME, name);
        m.end(start);
        byte[] request = m.toArray();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(request.length);
            MemorySegment.copy(MemorySegment.ofArray(request), 0, out, 0, request.length);
            Libc.send(fd, out, request.length);
            MemorySegment in = arena.allocate(1 << 16);
            while (true) {
                long n = Libc.recv(fd, in, in.byteSize());
                for (long offset = 0; offset + 16 <= n; ) {
                    int length = in.get(ValueLayout.JAVA_INT_UNALIGNED, offset);
                    int type = in.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset + 4) & 0xffff;
                    int seq = in.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 8);
                    if (length < 16) {
                        break;
                    }
                    if (seq == sequence && type == RTM_NEWLINK) {
                        return in.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 16 + 4);
                    }
                    if (seq == sequence && type == NLMSG_ERROR) {
                        int error = in.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 16);
                        throw new IllegalStateException("no interface named " + name + " ("
                                + NativeCalls.strerror(-error) + ")");
                    }
                    offset += NetlinkMessages.align(length);
                }
            }
        }
    }

    @Override
    public void close() {
        NativeCalls.close(fd);
    }
}
