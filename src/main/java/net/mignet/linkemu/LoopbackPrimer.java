package net.mignet.linkemu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Runs the kernel's whole path for a frame (buffer allocation, device transmit, the receive backlog and its
 * softirq) once, shortly before a release that follows a long sleep, with a frame of its own sent to the
 * fabric namespace's loopback, where no protocol takes it. {@link SendBatch#touch} warms only the start of the
 * send path (the kernel refuses its bare header), and after milliseconds asleep the rest is cold: traced
 * through a 100 ms link, the engine's {@code sendmmsg} reached the receiving host's arrival stamp 17 us later
 * (p50), against 5 us after a short sleep. With this primer (three pairs of RTT runs, 150 probes, alternating
 * with the build before it) RTT error p50 was 0.007-0.036 / 0.036-0.041 ms at 20 / 100 ms, against
 * 0.027-0.040 / 0.047-0.060 ms without. No real link carries the frame, so no capture on a host or switch port
 * sees it.
 * <p>
 * Unarmed (before {@link #arm}), a prime goes to no socket ({@code EBADF}) through the same code: the engine's
 * JIT warm-up primes unarmed, so that its frames on the loopback are not mixed with the primer's, and the
 * compiled code is the same once armed. Used by one loop thread only; closed after it has ended.
 */
final class LoopbackPrimer implements AutoCloseable {
    private final MemorySegment frame;
    private PacketSocket loopback;

    LoopbackPrimer(Arena arena) {
        frame = arena.allocate(EngineLoop.WARM_UP_FRAME_BYTES, 8); // a minimum frame of the warm-up's kind
        frame.fill((byte) 0);
        frame.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), PacketSocket.VNET_HDR + 12,
                (short) EngineLoop.EXPERIMENTAL_ETHERTYPE);
    }

    /** From now on primes go out of {@code sendOnly}, a send-only socket on the fabric's {@code lo}, owned here. */
    void arm(PacketSocket sendOnly) {
        close();
        loopback = sendOnly;
    }

    /** Sends the frame through {@code batch} (empty), to the loopback; returns what the kernel answered. */
    int prime(SendBatch batch) {
        return batch.sendAlone(loopback == null ? -1 : loopback.fd(), frame);
    }

    @Override
    public void close() {
        if (loopback != null) {
            loopback.close();
            loopback = null;
        }
    }
}
