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
    /**
     * A sent frame stays charged to the socket until the receiving host's IP layer takes it; on a busy machine
     * up to a backlog's worth of 64 KiB frames (netdev_max_backlog, 1 000 per CPU) waits for a deferred softirq
     * meanwhile, more than 32 MiB, and a full send buffer blocks the engine thread and every link it serves
     * (seen: lateness p50 1 ms, p99 190 ms in TCP at 3 Gbit/s with the thread at 37 % of a core). A limit only:
     * memory is used as frames are in flight.
     */
    private static final int SEND_BUFFER_BYTES = 256 << 20;
    private static final int SOCKADDR_LL = 20;

    /** What {@link #take} returns for a frame too big to hold whole (it is dropped; counted by the caller). */
    static final Frame TOO_BIG = new Frame(MemorySegment.NULL);

    private final int fd;
    private final String interfaceName;
    private final int interfaceIndex;
    /** The receive ring, or null: frames are read with one recvmsg each. */
    private final RxRing ring;
    private final Arena arena;
    /** Why there is no ring although one was asked for, or null. */
    private final String ringFailure;
    /** For reading the kernel's drop counter (allocated at the first read). */
    private MemorySegment statistics;
    private MemorySegment statisticsLength;
    private long kernelDrops;
    private long dropsReported;

    private PacketSocket(int fd, String interfaceName, int interfaceIndex, RxRing ring, Arena arena,
            String ringFailure) {
        this.fd = fd;
        this.interfaceName = interfaceName;
        this.interfaceIndex = interfaceIndex;
        this.ring = ring;
        this.arena = arena;
        this.ringFailure = ringFailure;
    }

    /** Opens a socket on {@code interfaceName}; must run in the interface's network namespace. */
    static PacketSocket open(String interfaceName) {
        return open(interfaceName, Native.ETH_P_ALL, 0, false, -1);
    }

    /**
     * Opens a socket on {@code interfaceName} that receives through a ring of about {@code ringSlots} slots, or,
     * if the kernel refuses the ring (see {@link #ringFailure()}) or {@code ringSlots} is 0, with one recvmsg per
     * frame. Must run in the interface's network namespace. Frames it sends skip the device's qdisc
     * ({@code PACKET_QDISC_BYPASS}): the engine's devices have none (a link's rate limits sit on its end devices)
     * and no tap needs to see the engine's transmissions, so that layer is pure cost per frame.
     */
    static PacketSocket openWithRing(String interfaceName, int ringSlots) {
        return open(interfaceName, Native.ETH_P_ALL, ringSlots, true, -1);
    }

    /**
     * As {@link #openWithRing(String, int)}, with the eBPF socket filter {@code filterFd} deciding which frames the
     * socket gets ({@link KernelPath}); attached before the socket is bound, so it sees every frame.
     */
    static PacketSocket openWithRing(String interfaceName, int ringSlots, KernelPath filter) {
        return open(interfaceName, Native.ETH_P_ALL, ringSlots, true, filter == null ? -1 : filter.filterFd());
    }

    /**
     * As {@link #openWithRing(String, int)}, receiving only frames of {@code etherType}: with one that no one
     * sends, a socket that stays idle (the engine's JIT warm-up polls one beside its busy socket).
     */
    static PacketSocket openWithRing(String interfaceName, int ringSlots, int etherType) {
        return open(interfaceName, etherType, ringSlots, true, -1);
    }

    /**
     * Opens a socket that only transmits out of {@code interfaceName}: bound with protocol 0, the kernel hands
     * it no frame, so the traffic on the interface pays nothing for it. Must run in the interface's namespace.
     */
    static PacketSocket openForSending(String interfaceName) {
        return open(interfaceName, 0, 0, false, -1);
    }

    /** Opens a socket receiving frames of {@code protocol} (an EtherType, or ETH_P_ALL; 0: none, only sending). */
    private static PacketSocket open(String interfaceName, int protocol, int ringSlots, boolean bypassQdisc,
            int filterFd) {
        boolean receive = protocol != 0;
        int index = NativeCalls.ifNameToIndex(interfaceName);
        if (index == 0) {
            throw new IllegalStateException("no interface " + interfaceName + " to open a packet socket on");
        }
        // Protocol 0: receives nothing until bound, so no frame of another interface slips in meanwhile.
        int fd = Native.socket(Native.AF_PACKET, Native.SOCK_RAW | Native.SOCK_CLOEXEC, 0);
        RxRing ring = null;
        String ringFailure = null;
        Arena arena = Arena.ofShared();
        try {
            String where = " on " + interfaceName;
            NativeCalls.setIntOption(fd, Native.SOL_PACKET, Native.PACKET_VNET_HDR, 1, "PACKET_VNET_HDR" + where);
            NativeCalls.setIntOption(fd, Native.SOL_SOCKET, Native.SO_SNDBUFFORCE, SEND_BUFFER_BYTES,
                    "SO_SNDBUFFORCE" + where);
            if (bypassQdisc) {
                NativeCalls.setIntOption(fd, Native.SOL_PACKET, Native.PACKET_QDISC_BYPASS, 1,
                        "PACKET_QDISC_BYPASS" + where);
            }
            if (receive) {
                // The engine's own transmissions would otherwise come back to it as outgoing frames.
                NativeCalls.setIntOption(fd, Native.SOL_PACKET, Native.PACKET_IGNORE_OUTGOING, 1,
                        "PACKET_IGNORE_OUTGOING" + where);
                // Arrival times from the kernel: the engine thread may read a frame a while after it came.
                NativeCalls.setIntOption(fd, Native.SOL_SOCKET, Native.SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS" + where);
                NativeCalls.setIntOption(fd, Native.SOL_SOCKET, Native.SO_RCVBUFFORCE, BUFFER_BYTES,
                        "SO_RCVBUFFORCE" + where);
                if (filterFd >= 0) {
                    NativeCalls.setIntOption(fd, Native.SOL_SOCKET, Native.SO_ATTACH_BPF, filterFd,
                            "SO_ATTACH_BPF" + where);
                }
            }
            // Before bind: no frame may land outside the ring (bound with protocol 0, none arrives yet).
            if (receive && ringSlots > 0) {
                try {
                    ring = RxRing.attach(fd, ringSlots, where);
                } catch (RuntimeException e) {
                    ringFailure = e.getMessage();
                }
            }
            try (Arena scratch = Arena.ofConfined()) {
                MemorySegment sll = scratch.allocate(SOCKADDR_LL);
                sll.set(ValueLayout.JAVA_SHORT, 0, (short) Native.AF_PACKET);
                sll.set(ValueLayout.JAVA_SHORT, 2, Short.reverseBytes((short) protocol));
                sll.set(ValueLayout.JAVA_INT, 4, index);
                Native.bind(fd, sll, SOCKADDR_LL, "bind" + where);
            }
            return new PacketSocket(fd, interfaceName, index, ring, arena, ringFailure);
        } catch (RuntimeException e) {
            if (ring != null) {
                ring.close();
            }
            NativeCalls.close(fd);
            arena.close();
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

    /** Whether frames come through a receive ring. */
    boolean hasRing() {
        return ring != null;
    }

    /** Why the ring asked for could not be set up, or null. */
    String ringFailure() {
        return ringFailure;
    }

    /**
     * The next waiting frame (virtio header included) in a buffer of {@code pool}, its length and arrival time
     * ({@link Frame#arrivedAt}, nanoTime clock) set; null when none waits; {@link #TOO_BIG} for one that could
     * not be read whole (dropped). {@code now} is a recent nanoTime (read once per burst: clock reads are a fifth
     * of the engine's own CPU on a VM), used where the kernel gave no usable arrival time.
     */
    Frame take(FramePool pool, ReceiveContext context, long now) {
        if (ring == null) {
            return takeFromSocket(pool, context, now);
        }
        if (!ring.next()) {
            return null;
        }
        try {
            if (ring.isCopied()) {
                Frame whole = takeFromSocket(pool, context, now); // its slot holds only the start of it
                return whole == null ? TOO_BIG : whole;
            }
            int captured = ring.snapLength();
            if (captured < ring.length()) {
                return TOO_BIG; // cut short and not queued whole: the socket's buffer was full
            }
            long n = captured + VNET_HDR;
            Frame f = pool.copyFrom(ring.mapping(), ring.vnetHeaderOffset(), n);
            f.length = (int) n;
            f.arrivedAt = context.fromRealtime(ring.realtimeNanos(), now);
            return f;
        } finally {
            ring.release();
        }
    }

    /** Without a system call when there is a ring: whether {@link #take} would find a frame now. */
    boolean hasFrameInRing() {
        return ring != null && ring.hasFrame();
    }

    /**
     * Frames the kernel dropped for this socket since it was opened (its ring or receive buffer was full), from
     * the kernel's counter, which resets at every read ({@code PACKET_STATISTICS}).
     */
    long kernelDropsSoFar() {
        if (statistics == null) {
            statistics = arena.allocate(8, 4);
            statisticsLength = arena.allocate(4, 4);
        }
        if (RingCalls.getOption(fd, Native.SOL_PACKET, RingCalls.PACKET_STATISTICS, statistics,
                statisticsLength) == 0) {
            kernelDrops += Integer.toUnsignedLong(statistics.get(ValueLayout.JAVA_INT, 4));
        }
        return kernelDrops;
    }

    /** Frames the kernel dropped because the ring was full since the last call (0 without a ring). */
    long takeRingDrops() {
        if (ring == null) {
            return 0;
        }
        long total = kernelDropsSoFar();
        long now = total - dropsReported;
        dropsReported = total;
        return now;
    }

    private Frame takeFromSocket(FramePool pool, ReceiveContext context, long now) {
        long n = receive(pool.receiveBuffer(), context);
        if (n < 0) {
            return null; // EAGAIN: drained; ENETDOWN and the like: the device went down, nothing to read.
        }
        if (n > pool.receiveBuffer().byteSize() || n <= VNET_HDR) {
            return TOO_BIG;
        }
        Frame f = pool.keepReceived(n);
        f.length = (int) n;
        f.arrivedAt = context.arrival(now);
        return f;
    }

    /** Transmits one frame (virtio header included); returns the bytes sent or -errno. */
    long send(MemorySegment frame, long length) {
        return Native.send(fd, frame, length, 0);
    }

    @Override
    public void close() {
        if (ring != null) {
            ring.close();
        }
        NativeCalls.close(fd);
        arena.close();
    }

    @Override
    public String toString() {
        return "packet socket on " + interfaceName;
    }
}
