package net.mignet.linkemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HexFormat;
import net.mignet.topo.LinkParams;
import org.junit.jupiter.api.Test;

class FrameCorruptorTest {
    private static final ValueLayout.OfShort BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** A UDP datagram 10.0.0.1:1234 -> 10.0.0.2:5678 carrying "hi", checksum field zero. */
    private static final String ETH_IP = "020000000002" + "020000000001" + "0800"
            + "4500001e00004000401126cc0a0000010a000002";
    private static final String UDP = "04d2162e000a0000" + "6869";

    private static int rfc1071(byte[] data) {
        long sum = 0;
        for (int i = 0; i + 1 < data.length; i += 2) {
            sum += ((data[i] & 0xff) << 8) | (data[i + 1] & 0xff);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    @Test
    void a_partial_checksum_is_completed_as_the_kernel_would() {
        byte[] udp = HexFormat.of().parseHex(UDP);
        // Pseudo header: src, dst, zero, proto 17, UDP length 10.
        byte[] pseudo = HexFormat.of().parseHex("0a0000010a00000200110" + "00a");
        byte[] all = new byte[pseudo.length + udp.length];
        System.arraycopy(pseudo, 0, all, 0, pseudo.length);
        System.arraycopy(udp, 0, all, pseudo.length, udp.length);
        int expected = rfc1071(all);
        int pseudoSum = (~rfc1071(pseudo)) & 0xffff; // what the sender leaves in the field (not complemented)

        try (Arena arena = Arena.ofConfined()) {
            byte[] frameBytes = HexFormat.of().parseHex(ETH_IP + UDP);
            int vnet = PacketSocket.VNET_HDR;
            MemorySegment frame = arena.allocate(vnet + frameBytes.length);
            MemorySegment.copy(MemorySegment.ofArray(frameBytes), 0, frame, vnet, frameBytes.length);
            int udpStart = 14 + 20;
            frame.set(BE, vnet + udpStart + 6, (short) pseudoSum);
            FrameCorruptor.completeChecksum(frame, vnet + udpStart, vnet + udpStart + 6, vnet + frameBytes.length);
            assertThat(Short.toUnsignedInt(frame.get(BE, vnet + udpStart + 6))).isEqualTo(expected);
        }
    }

    @Test
    void corrupting_flips_exactly_one_bit_after_the_ethernet_header() {
        Impairment random = new Impairment(LinkParams.NONE, 11);
        try (Arena arena = Arena.ofConfined()) {
            byte[] frameBytes = HexFormat.of().parseHex(ETH_IP + UDP);
            int vnet = PacketSocket.VNET_HDR;
            for (int round = 0; round < 200; round++) {
                MemorySegment frame = arena.allocate(vnet + frameBytes.length);
                MemorySegment.copy(MemorySegment.ofArray(frameBytes), 0, frame, vnet, frameBytes.length);
                FrameCorruptor.corrupt(frame, vnet + frameBytes.length, random);
                byte[] after = frame.asSlice(vnet).toArray(ValueLayout.JAVA_BYTE);
                int flipped = 0;
                for (int i = 0; i < after.length; i++) {
                    int diff = Integer.bitCount((after[i] ^ frameBytes[i]) & 0xff);
                    flipped += diff;
                    if (diff > 0) {
                        assertThat(i).isGreaterThanOrEqualTo(14);
                    }
                }
                assertThat(flipped).isEqualTo(1);
            }
        }
    }
}
