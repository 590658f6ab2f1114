package net.mignet.linkemu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The marker frame a hold sends along its own path (into the hold device, out of its peer) to learn when
 * everything before it has passed: an Ethernet frame between locally administered addresses with the IEEE 802
 * local experimental EtherType 0x88B5, a magic number and a sequence number, behind a zeroed virtio header.
 */
final class HoldMarker {
    static final int ETHERTYPE = 0x88B5;
    private static final long MAGIC = 0x6d69676e6574484cL; // "mignetHL"
    private static final int TYPE_OFFSET = PacketSocket.VNET_HDR + 12;
    static final int BYTES = PacketSocket.VNET_HDR + 14 + 16;

    private final MemorySegment frame;

    HoldMarker(Arena arena) {
        frame = arena.allocate(BYTES, 8);
    }

    /** The marker with this sequence number, ready to send (virtio header included). */
    MemorySegment withSequence(long sequence) {
        frame.fill((byte) 0);
        frame.set(ValueLayout.JAVA_BYTE, PacketSocket.VNET_HDR, (byte) 0x02);
        frame.set(ValueLayout.JAVA_BYTE, PacketSocket.VNET_HDR + 6, (byte) 0x02);
        frame.set(ValueLayout.JAVA_BYTE, TYPE_OFFSET, (byte) (ETHERTYPE >> 8));
        frame.set(ValueLayout.JAVA_BYTE, TYPE_OFFSET + 1, (byte) ETHERTYPE);
        frame.set(ValueLayout.JAVA_LONG_UNALIGNED, TYPE_OFFSET + 2, MAGIC);
        frame.set(ValueLayout.JAVA_LONG_UNALIGNED, TYPE_OFFSET + 10, sequence);
        return frame;
    }

    /** True when a received frame (virtio header included) is the marker with {@code sequence}. */
    static boolean matches(MemorySegment received, long length, long sequence) {
        return length >= BYTES
                && (received.get(ValueLayout.JAVA_BYTE, TYPE_OFFSET) & 0xff) == ETHERTYPE >> 8
                && (received.get(ValueLayout.JAVA_BYTE, TYPE_OFFSET + 1) & 0xff) == (ETHERTYPE & 0xff)
                && received.get(ValueLayout.JAVA_LONG_UNALIGNED, TYPE_OFFSET + 2) == MAGIC
                && received.get(ValueLayout.JAVA_LONG_UNALIGNED, TYPE_OFFSET + 10) == sequence;
    }
}
