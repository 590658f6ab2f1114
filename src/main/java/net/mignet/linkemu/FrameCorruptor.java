package net.mignet.linkemu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Flips one bit of a frame, as netem's corrupt does, so that the receiver's checksum check catches it. Frames
 * with a partial checksum (offloaded, {@code VIRTIO_NET_HDR_F_NEEDS_CSUM}) would get a correct checksum over
 * the flipped bit later, so their checksum is completed here first. A GSO frame (up to 64 KiB, many segments
 * on the wire) gets its checksum seed flipped instead: every segment of it then arrives corrupted.
 */
final class FrameCorruptor {
    static final int NEEDS_CSUM = 1;
    /** The sender vouched for the checksum: a receiver would not check the corrupted frame. */
    static final int DATA_VALID = 2;
    private static final int ETHERNET_HEADER = 14;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED; // virtio header: native order
    private static final ValueLayout.OfShort U16_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(
            java.nio.ByteOrder.BIG_ENDIAN);

    private FrameCorruptor() {
    }

    /** Corrupts {@code length} bytes of {@code frame} (virtio header included); {@code random} picks the bit. */
    static void corrupt(MemorySegment frame, int length, Impairment random) {
        int vnet = PacketSocket.VNET_HDR;
        int flags = frame.get(ValueLayout.JAVA_BYTE, 0) & 0xff;
        int gsoType = frame.get(ValueLayout.JAVA_BYTE, 1) & 0x7f;
        boolean partial = (flags & NEEDS_CSUM) != 0;
        int csumStart = Short.toUnsignedInt(frame.get(U16, 6));
        int csumOffset = Short.toUnsignedInt(frame.get(U16, 8));
        int checksumAt = vnet + csumStart + csumOffset;
        if (gsoType != 0 && partial && checksumAt + 2 <= length) {
            flipBit(frame, checksumAt, checksumAt + 2, random);
            return;
        }
        if (partial && checksumAt + 2 <= length) {
            completeChecksum(frame, vnet + csumStart, checksumAt, length);
        }
        frame.set(ValueLayout.JAVA_BYTE, 0, (byte) (flags & ~(NEEDS_CSUM | DATA_VALID)));
        int from = Math.min(vnet + ETHERNET_HEADER, length - 1);
        flipBit(frame, from, length, random);
    }

    private static void flipBit(MemorySegment frame, int from, int to, Impairment random) {
        int bit = random.randomIndex(from * 8, to * 8);
        int at = bit / 8;
        byte b = frame.get(ValueLayout.JAVA_BYTE, at);
        frame.set(ValueLayout.JAVA_BYTE, at, (byte) (b ^ (1 << (bit % 8))));
    }

    /**
     * What the kernel's {@code skb_checksum_help} does: the checksum field holds the pseudo-header sum; sum
     * from {@code start} to the end, fold, complement, store.
     */
    static void completeChecksum(MemorySegment frame, int start, int checksumAt, int end) {
        long sum = 0;
        int i = start;
        for (; i + 1 < end; i += 2) {
            sum += Short.toUnsignedInt(frame.get(U16_BE, i));
        }
        if (i < end) {
            sum += (frame.get(ValueLayout.JAVA_BYTE, i) & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        // A zero UDP checksum means "none" and would let the flipped bit through; 0xffff is the same sum.
        short checksum = (short) ~sum;
        frame.set(U16_BE, checksumAt, checksum == 0 ? (short) 0xffff : checksum);
    }
}
