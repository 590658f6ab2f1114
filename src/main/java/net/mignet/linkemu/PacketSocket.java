package net.mignet.linkemu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import net.mignet.kernel.NativeCalls;

/**
 * A raw {@code AF_PACKET} socket bound to one interface: it receives every frame that arrives on the interface
 * and transmits frames out of it. Frames carry a {@code virtio_net_hdr} in front ({@code PACKET_VNET_HDR}), so
 * offloaded frames (partial checksums, 64 KiB TSO/GSO frames) cross userspace intact and cheaply, with no need
 * to turn offloads off on the hosts.
 */
final class PacketSocket implements AutoCloseable {
    /** Bytes of {@code struct virtio_net_hdr} in front of every frame. */
    static final int VNET_HDR = 10;
    /** Socket buffers big enough for a few milliseconds of 64 KiB frames at several Gbit/s. */
    private static final int BUFFER_BYTES = 32 << 20;
    private static final int SOCKADDR_LL = 20;

    private final int fd;
    private final String interfaceName;
    private final int interfaceIndex;

    private PacketSocket(int fd, String interfaceName, int interfaceIndex) {
        this.fd = fd;
        this.interfaceName = interfaceName;
        this.interfaceIndex = interfaceIndex;
    }

    /** Opens a socket on {@code interfaceName}; must run in the interface's network namespace. */
    static PacketSocket open(String interfaceName) {
        return open(interfaceName, true);
    }

    /**
     * Opens a socket that only transmits out of {@code interfaceName}: bound with protocol 0, the kernel hands
     * it no frame, so the traffic on the interface pays nothing for it. Must run in the interface's namespace.
     */
    static PacketSocket openForSending(String interfaceName) {
        return open(interfaceName, false);
    }

    private static PacketSocket open(String interfaceName, boolean receive) {
        int index = NativeCalls.ifNameToIndex(interfaceName);
        if (index == 0) {
            throw new IllegalStateException("no interface " + interfaceName + " to open a packet socket on");
        }
        // Protocol 0: receives nothing until bound, so no frame of another interface slips in meanwhile.
        int fd = Native.socket(Native.AF_PACKET, Native.SOCK_RAW | Native.SOCK_CLOEXEC, 0);
        try {
            String where = " on " + interfaceName;
            NativeCalls.setIntOption(fd, Native.SOL_PACKET, Native.PACKET_VNET_HDR, 1, "PACKET_VNET_HDR" + where);
            NativeCalls.setIntOption(fd, Native.SOL_SOCKET, Native.SO_SNDBUFFORCE, BUFFER_BYTES, "SO_SNDBUFFORCE" + where);
            if (receive) {
                // The engine's own transmissions would otherwise come back to it as outgoing frames.
                NativeCalls.setIntOption(fd, Native.SOL_PACKET, Native.PACKET_IGNORE_OUTGOING, 1,
                        "PACKET_IGNORE_OUTGOING" + where);
                // Arrival times from the kernel: the engine thread may read a frame a while after it came.
                NativeCalls.setIntOption(fd, Native.SOL_SOCKET, Native.SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS" + where);
                NativeCalls.setIntOption(fd, Native.SOL_SOCKET, Native.SO_RCVBUFFORCE, BUFFER_BYTES,
                        "SO_RCVBUFFORCE" + where);
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment sll = arena.allocate(SOCKADDR_LL);
                sll.set(ValueLayout.JAVA_SHORT, 0, (short) Native.AF_PACKET);
                sll.set(ValueLayout.JAVA_SHORT, 2, receive ? Short.reverseBytes((short) Native.ETH_P_ALL) : 0);
                sll.set(ValueLayout.JAVA_INT, 4, index);
                Native.bind(fd, sll, SOCKADDR_LL, "bind" + where);
            }
            return new PacketSocket(fd, interfaceName, index);
        } catch (RuntimeException e) {
            NativeCalls.close(fd);
            throw e;
        }
    }

    int fd() {
        return fd;
    }

    String interfaceName() {
        return interfaceName;
    }

    /** The index of the device the socket is bound to (a device replaced under the same name has another). */
    int interfaceIndex() {
        return interfaceIndex;
    }

    /**
     * Receives one frame (virtio header included) without waiting; returns its full length, which exceeds
     * {@code buffer}'s size when it was truncated, or -errno ({@code -EAGAIN} when there is none).
     */
    long receive(MemorySegment buffer) {
        return Native.recv(fd, buffer, buffer.byteSize(), Native.MSG_DONTWAIT | Native.MSG_TRUNC);
    }

    /** As {@link #receive(MemorySegment)}, with the kernel's arrival time put in {@code into}. */
    long receive(MemorySegment buffer, ReceiveContext into) {
        return Native.recvmsg(fd, into.prepare(buffer), Native.MSG_DONTWAIT | Native.MSG_TRUNC);
    }

    /** Transmits one frame (virtio header included); returns the bytes sent or -errno. */
    long send(MemorySegment frame, long length) {
        return Native.send(fd, frame, length, 0);
    }

    @Override
    public void close() {
        NativeCalls.close(fd);
    }

    @Override
    public String toString() {
        return "packet socket on " + interfaceName;
    }
}
