package net.mignet.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Transmits whole Ethernet frames out of interfaces of one network namespace, as a switch's OpenFlow agent does
 * for PACKET_OUT: one {@code AF_PACKET} socket (opened in the namespace, protocol 0, so it receives nothing) and
 * the interface given per frame by its index. Frames must carry complete checksums.
 */
public final class FrameInjector implements AutoCloseable {
    private static final int SOCKADDR_LL = 20;
    private static final int ENXIO = 6;
    private static final int ENODEV = 19;
    private static final int ENETDOWN = 100;

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment address = arena.allocate(SOCKADDR_LL);
    private final MemorySegment frame = arena.allocate(1 << 16);

    private FrameInjector(int fd) {
        this.fd = fd;
    }

    /** Opens the socket in the calling thread's network namespace (see {@link NamespaceThread#call}). */
    public static FrameInjector open() {
        return new FrameInjector(Libc.socket(PuntCalls.AF_PACKET, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, 0));
    }

    /**
     * Sends {@code data} (an Ethernet frame, header included) out of the interface with index
     * {@code interfaceIndex}; returns false when that interface is gone (its index is stale), throws on other
     * refusals.
     */
    public synchronized boolean send(int interfaceIndex, byte[] data) {
        if (data.length < 14 || data.length > frame.byteSize()) {
            throw new IllegalArgumentException("a frame of " + data.length + " bytes cannot be sent (14.."
                    + frame.byteSize() + ")");
        }
        MemorySegment.copy(data, 0, frame, ValueLayout.JAVA_BYTE, 0, data.length);
        address.fill((byte) 0);
        address.set(ValueLayout.JAVA_SHORT, 0, (short) PuntCalls.AF_PACKET);
        // sll_protocol in network order, the frame's EtherType: the bytes as they are in the frame.
        address.set(ValueLayout.JAVA_BYTE, 2, data[12]);
        address.set(ValueLayout.JAVA_BYTE, 3, data[13]);
        address.set(ValueLayout.JAVA_INT, 4, interfaceIndex);
        long n = PuntCalls.sendTo(fd, frame, data.length, address, SOCKADDR_LL);
        if (n == -ENXIO || n == -ENODEV) {
            return false;
        }
        if (n == -ENETDOWN) {
            return true; // the link is down: the frame is lost on it, as any other would be
        }
        if (n < 0) {
            throw new NativeCalls.NativeException("send a frame out of interface " + interfaceIndex, (int) -n,
                    NativeCalls.strerror((int) -n));
        }
        return true;
    }

    @Override
    public synchronized void close() {
        NativeCalls.close(fd);
        arena.close();
    }
}
