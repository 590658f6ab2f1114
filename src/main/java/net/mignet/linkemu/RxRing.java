package net.mignet.linkemu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import net.mignet.kernel.NativeCalls;

/**
 * A {@code PACKET_MMAP} receive ring ({@code TPACKET_V2}) on a packet socket: the kernel writes each arriving
 * frame into the next slot of a shared mapping and marks it ready, so the engine reads frames without a system
 * call per frame, and can look for new ones without any (a busy poll is a memory read).
 * <p>
 * TPACKET_V2 rather than V3: V3 hands over a block only when it is full or its retire timer (whole milliseconds)
 * fires, which would delay sparse traffic by milliseconds. Slots are 2 KiB, enough for any 1500-byte-MTU frame
 * with its {@code virtio_net_hdr}; a bigger one (a 64 KiB TSO frame) is not cut short: with
 * {@code PACKET_COPY_THRESH} the kernel also queues it whole on the socket and flags the slot
 * {@code TP_STATUS_COPY}, and the engine reads it from there with {@code recvmsg}, in order.
 */
final class RxRing implements AutoCloseable {
    /** Bytes of a slot: the tpacket2 header, sockaddr_ll, the virtio header and a 1518-byte frame fit. */
    static final int SLOT_BYTES = 2048;
    /** Blocks of 32 slots: contiguous allocations of 64 KiB are easy for the kernel to find. */
    private static final int BLOCK_BYTES = 1 << 16;
    private static final int SLOTS_PER_BLOCK = BLOCK_BYTES / SLOT_BYTES;

    static final int TP_STATUS_KERNEL = 0;
    static final int TP_STATUS_USER = 1;
    static final int TP_STATUS_COPY = 1 << 1;
    /** struct tpacket2_hdr */
    private static final long STATUS = 0;
    private static final long LENGTH = 4;
    private static final long SNAP_LENGTH = 8;
    private static final long MAC = 12;
    private static final long SECONDS = 16;
    private static final long NANOSECONDS = 20;

    private static final VarHandle STATUS_WORD = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment mapping;
    private final int slots;
    private int head;
    private long current = -1;

    private RxRing(MemorySegment mapping, int slots) {
        this.mapping = mapping;
        this.slots = slots;
    }

    /**
     * Sets up a ring of about {@code slots} slots (rounded up to whole blocks) on {@code fd}, which must have
     * {@code PACKET_VNET_HDR} set already and not be bound yet (so no frame lands outside the ring). Throws
     * with the reason when the kernel refuses (e.g. no memory).
     */
    static RxRing attach(int fd, int slots, String where) {
        int blocks = Math.max(1, (slots + SLOTS_PER_BLOCK - 1) / SLOTS_PER_BLOCK);
        int total = blocks * SLOTS_PER_BLOCK;
        NativeCalls.setIntOption(fd, Native.SOL_PACKET, RingCalls.PACKET_VERSION, RingCalls.TPACKET_V2,
                "PACKET_VERSION" + where);
        NativeCalls.setIntOption(fd, Native.SOL_PACKET, RingCalls.PACKET_COPY_THRESH, 1,
                "PACKET_COPY_THRESH" + where);
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment request = scratch.allocate(16, 4); // struct tpacket_req
            request.set(ValueLayout.JAVA_INT, 0, BLOCK_BYTES);
            request.set(ValueLayout.JAVA_INT, 4, blocks);
            request.set(ValueLayout.JAVA_INT, 8, SLOT_BYTES);
            request.set(ValueLayout.JAVA_INT, 12, total);
            int rc = RingCalls.setOption(fd, Native.SOL_PACKET, RingCalls.PACKET_RX_RING, request);
            if (rc < 0) {
                throw new IllegalStateException("PACKET_RX_RING of " + total + " slots" + where + ": "
                        + NativeCalls.strerror(-rc));
            }
        }
        MemorySegment mapping = RingCalls.mmap(fd, (long) blocks * BLOCK_BYTES);
        if (mapping.byteSize() == 0) {
            throw new IllegalStateException("mmap of the receive ring" + where + ": "
                    + NativeCalls.strerror((int) -mapping.address()));
        }
        return new RxRing(mapping, total);
    }

    /**
     * Whether the next slot holds a frame; if so it becomes the current one, whose fields the methods below
     * read, until {@link #release()}.
     */
    boolean next() {
        long offset = (long) head * SLOT_BYTES;
        if (((int) STATUS_WORD.getAcquire(mapping, offset) & TP_STATUS_USER) == 0) {
            return false;
        }
        current = offset;
        return true;
    }

    /** Without claiming it: whether a frame waits in the next slot (a busy poll's check). */
    boolean hasFrame() {
        return ((int) STATUS_WORD.getAcquire(mapping, (long) head * SLOT_BYTES) & TP_STATUS_USER) != 0;
    }

    /** The current frame was too big for its slot and waits whole on the socket, to be read with recvmsg. */
    boolean isCopied() {
        return (mapping.get(ValueLayout.JAVA_INT, current + STATUS) & TP_STATUS_COPY) != 0;
    }

    /** The frame's length on the wire and the bytes of it in the slot (less when it was cut short). */
    int length() {
        return mapping.get(ValueLayout.JAVA_INT, current + LENGTH);
    }

    int snapLength() {
        return mapping.get(ValueLayout.JAVA_INT, current + SNAP_LENGTH);
    }

    /** The offset in {@link #mapping()} of the current frame's virtio header, which the frame follows. */
    long vnetHeaderOffset() {
        return current + Short.toUnsignedInt(mapping.get(ValueLayout.JAVA_SHORT, current + MAC))
                - PacketSocket.VNET_HDR;
    }

    /** When the kernel put the frame in the ring, on the realtime clock, in ns. */
    long realtimeNanos() {
        return Integer.toUnsignedLong(mapping.get(ValueLayout.JAVA_INT, current + SECONDS)) * 1_000_000_000L
                + Integer.toUnsignedLong(mapping.get(ValueLayout.JAVA_INT, current + NANOSECONDS));
    }

    MemorySegment mapping() {
        return mapping;
    }

    /** Hands the current slot back to the kernel and moves on. */
    void release() {
        STATUS_WORD.setRelease(mapping, current, TP_STATUS_KERNEL);
        current = -1;
        head = head + 1 == slots ? 0 : head + 1;
    }

    int slots() {
        return slots;
    }

    /** Unmaps the ring; the socket must be closed right after (the kernel frees the ring with it). */
    @Override
    public void close() {
        RingCalls.munmap(mapping);
    }
}
