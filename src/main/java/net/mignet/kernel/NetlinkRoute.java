package net.mignet.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.mignet.topo.Ipv4Address;
import net.mignet.topo.Ipv4Prefix;

/**
 * A rtnetlink socket in the namespace of the thread that opened it. Requests are queued and sent together by
 * {@link #flush()}, which then checks the kernel's acknowledgement of each; configuring a host costs one
 * system call round trip instead of one {@code ip} process per setting.
 */
public final class NetlinkRoute implements AutoCloseable {
    private static final short RTM_NEWLINK = 16;
    private static final short RTM_NEWADDR = 20;
    private static final short RTM_NEWROUTE = 24;
    private static final short NLMSG_ERROR = 2;
    private static final short NLM_F_REQUEST = 0x1;
    private static final short NLM_F_ACK = 0x4;
    private static final short NLM_F_EXCL = 0x200;
    private static final short NLM_F_CREATE = 0x400;
    private static final short IFLA_IFNAME = 3;
    private static final short IFA_ADDRESS = 1;
    private static final short IFA_LOCAL = 2;
    private static final short IFA_BROADCAST = 4;
    private static final short RTA_DST = 1;
    private static final short RTA_GATEWAY = 5;
    private static final byte RT_TABLE_MAIN = (byte) 254;
    /** What {@code ip route add} marks its routes with, so they look the same in {@code ip route}. */
    private static final byte RTPROT_BOOT = 3;
    private static final byte RT_SCOPE_UNIVERSE = 0;
    private static final byte RTN_UNICAST = 1;
    private static final int IFF_UP = 0x1;
    private static final byte AF_UNSPEC = 0;
    private static final byte AF_INET = 2;
    private static final int NETLINK_ROUTE = 0;

    private final int fd;
    private final ByteBuffer batch = ByteBuffer.allocate(1 << 16).order(ByteOrder.nativeOrder());
    private final List<String> pending = new ArrayList<>();
    private int sequence;

    private NetlinkRoute(int fd) {
        this.fd = fd;
    }

    /** Opens a socket bound to the calling thread's current network namespace. */
    public static NetlinkRoute open() {
        return new NetlinkRoute(Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, NETLINK_ROUTE));
    }

    /** Index of an interface in the calling thread's namespace; throws when there is none of that name. */
    public static int indexOf(String interfaceName) {
        int index = NativeCalls.ifNameToIndex(interfaceName);
        if (index == 0) {
            throw new IllegalStateException("no interface named " + interfaceName);
        }
        return index;
    }

    public void setLinkUp(String interfaceName, boolean up) {
        byte[] name = (interfaceName + "\0").getBytes(StandardCharsets.UTF_8);
        int start = beginMessage(RTM_NEWLINK, (short) (NLM_F_REQUEST | NLM_F_ACK));
        batch.put(AF_UNSPEC).put((byte) 0).putShort((short) 0).putInt(0).putInt(up ? IFF_UP : 0).putInt(IFF_UP);
        attribute(IFLA_IFNAME, name);
        endMessage(start, "set " + interfaceName + (up ? " up" : " down"));
    }

    public void addAddress(int interfaceIndex, Ipv4Prefix address, String description) {
        int start = beginMessage(RTM_NEWADDR, (short) (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL));
        batch.put(AF_INET).put((byte) address.length()).put((byte) 0).put((byte) 0).putInt(interfaceIndex);
        byte[] local = address.address().toBytes();
        attribute(IFA_LOCAL, local);
        attribute(IFA_ADDRESS, local);
        if (address.length() < 31) {
            int broadcast = address.network().bits() | ~address.netmaskBits();
            attribute(IFA_BROADCAST, new net.mignet.topo.Ipv4Address(broadcast).toBytes());
        }
        endMessage(start, "add address " + address + " to " + description);
    }

    /**
     * Adds a route through a gateway in the main table, as {@code ip route add DEST via GATEWAY} does (which
     * finds the interface from the gateway's subnet); refused if the destination has one already.
     */
    public void addRoute(Ipv4Prefix destination, Ipv4Address gateway, String description) {
        int start = beginMessage(RTM_NEWROUTE, (short) (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL));
        batch.put(AF_INET).put((byte) destination.length()).put((byte) 0).put((byte) 0)
                .put(RT_TABLE_MAIN).put(RTPROT_BOOT).put(RT_SCOPE_UNIVERSE).put(RTN_UNICAST).putInt(0);
        if (destination.length() > 0) {
            attribute(RTA_DST, destination.network().toBytes());
        }
        attribute(RTA_GATEWAY, gateway.toBytes());
        endMessage(start, description);
    }

    /** Sends every queued request and fails, naming the request, on the first one the kernel refused. */
    public void flush() {
        if (pending.isEmpty()) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(batch.position());
            MemorySegment.copy(MemorySegment.ofArray(batch.array()), 0, out, 0, batch.position());
            Libc.send(fd, out, batch.position());
            MemorySegment in = arena.allocate(1 << 16);
            int acked = 0;
            List<String> errors = new ArrayList<>();
            while (acked < pending.size()) {
                long n = Libc.recv(fd, in, in.byteSize());
                long offset = 0;
                while (offset + 16 <= n) {
                    int length = in.get(ValueLayout.JAVA_INT_UNALIGNED, offset);
                    short type = in.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset + 4);
                    int seq = in.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 8);
                    if (type == NLMSG_ERROR) {
                        int error = in.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 16);
                        if (error != 0 && seq >= 1 && seq <= pending.size()) {
                            errors.add(pending.get(seq - 1) + ": " + NativeCalls.strerror(-error));
                        }
                        acked++;
                    }
                    if (length < 16) {
                        break;
                    }
                    offset += align(length);
                }
            }
            if (!errors.isEmpty()) {
                throw new IllegalStateException("the kernel refused: " + String.join("; ", errors));
            }
        } finally {
            batch.clear();
            pending.clear();
            sequence = 0;
        }
    }

    @Override
    public void close() {
        NativeCalls.close(fd);
    }

    private int beginMessage(short type, short flags) {
        if (batch.remaining() < 512) {
            flush();
        }
        int start = batch.position();
        batch.putInt(0).putShort(type).putShort(flags).putInt(++sequence).putInt(0);
        return start;
    }

    private void endMessage(int start, String description) {
        batch.putInt(start, batch.position() - start);
        pending.add(description);
    }

    private void attribute(short type, byte[] payload) {
        int length = 4 + payload.length;
        batch.putShort((short) length).putShort(type).put(payload);
        for (int pad = align(length) - length; pad > 0; pad--) {
            batch.put((byte) 0);
        }
    }

    private static int align(int length) {
        return (length + 3) & ~3;
    }
}
