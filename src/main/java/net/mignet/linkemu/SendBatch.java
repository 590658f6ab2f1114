package net.mignet.linkemu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Frames due to leave through one packet socket, sent together with one {@code sendmmsg} instead of one
 * {@code send} each. The {@code mmsghdr} and {@code iovec} arrays are made once and point at the frames'
 * pooled buffers, so a batch allocates nothing. Used by one loop thread only.
 * <p>
 * Not a {@code PACKET_TX_RING}: measured on this 2-core VM (kernel 6.18), 64-byte frames out of a veth whose
 * peer drops them cost 1.15 us of CPU each with {@code sendmmsg} of 64 and 1.31-1.45 us with a TPACKET_V2 TX ring
 * filled 64 slots at a time and flushed with one {@code send}; the kernel builds an skb per frame either way,
 * and the ring adds a slot destructor per frame. The forwarding behind the device (bridge, the receiving host)
 * costs more than either.
 */
final class SendBatch {
    static final int CAPACITY = 64;
    /** struct mmsghdr: a 56-byte msghdr, the unsigned msg_len, padding. */
    private static final int MMSGHDR_BYTES = 64;
    private static final int IOVEC_BYTES = 16;
    private static final long MSG_IOV = 16;
    private static final long MSG_IOVLEN = 24;

    private final MemorySegment messages;
    /** A virtio header with no frame behind it, for {@link #touch}. */
    private final MemorySegment bareHeader;
    private final MemorySegment iovecs;
    private final Frame[] frames = new Frame[CAPACITY];
    private int count;

    SendBatch(Arena arena) {
        messages = arena.allocate((long) CAPACITY * MMSGHDR_BYTES, 8);
        iovecs = arena.allocate((long) CAPACITY * IOVEC_BYTES, 8);
        bareHeader = arena.allocate(PacketSocket.VNET_HDR, 8);
        for (int i = 0; i < CAPACITY; i++) {
            messages.set(ValueLayout.ADDRESS, (long) i * MMSGHDR_BYTES + MSG_IOV,
                    iovecs.asSlice((long) i * IOVEC_BYTES, IOVEC_BYTES));
            messages.set(ValueLayout.JAVA_LONG, (long) i * MMSGHDR_BYTES + MSG_IOVLEN, 1);
        }
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Adds a frame; true when the batch is full and must be sent before the next. */
    boolean add(Frame f) {
        long iov = (long) count * IOVEC_BYTES;
        iovecs.set(ValueLayout.ADDRESS, iov, f.buffer);
        iovecs.set(ValueLayout.JAVA_LONG, iov + 8, f.length);
        frames[count++] = f;
        return count == CAPACITY;
    }

    /**
     * Runs the kernel's send path out of {@code fd}, and this class's, without sending anything: one message of
     * a bare virtio header, which the kernel takes as far as allocating and filling a buffer and then refuses
     * (an Ethernet frame needs its 14-byte header), with EINVAL. After a sleep of milliseconds that path is cold:
     * measured in the engine before releases through 20 and 100 ms links, the first such call took 20 us (p50;
     * p90 58 us) and the one right after it 1.5 us, and a release that follows a long sleep paid the same.
     * Only while the batch is empty. Returns what the kernel answered.
     */
    int touch(int fd) {
        return sendAlone(fd, bareHeader);
    }

    /**
     * Sends {@code bytes} (virtio header and frame) out of {@code fd} through this batch's own path, as a
     * message of its own; only while the batch is empty. Returns what the kernel answered.
     */
    int sendAlone(int fd, MemorySegment bytes) {
        iovecs.set(ValueLayout.ADDRESS, 0, bytes);
        iovecs.set(ValueLayout.JAVA_LONG, 8, bytes.byteSize());
        return RingCalls.sendmmsg(fd, messages, 1);
    }

    /** What became of each frame of a batch: called in order, so the caller can count and recycle them. */
    interface Outcome {
        void sent(Frame f, boolean ok);
    }

    /**
     * Sends the batch out of {@code fd} in order and empties it. A frame the device refuses (down, its queue
     * full) is reported not sent, and the frames behind it are still sent. Returns the system calls it took.
     */
    int send(int fd, Outcome outcome) {
        int i = 0;
        int calls = 0;
        while (i < count) {
            calls++;
            int n = RingCalls.sendmmsg(fd, messages.asSlice((long) i * MMSGHDR_BYTES), count - i);
            if (n <= 0) {
                outcome.sent(frames[i], false); // sendmmsg reports the first frame's error only
                frames[i++] = null;
                continue;
            }
            for (int k = 0; k < n; k++) {
                outcome.sent(frames[i], true);
                frames[i++] = null;
            }
        }
        count = 0;
        return calls;
    }
}
