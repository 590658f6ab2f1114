package net.mignet.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A netfilter-netlink socket bound to one nfnetlink_log group, in the network namespace of the thread that
 * opened it: it receives the frames that nftables rules {@code log group N} there, each with the device it came
 * in on and its mark. Frames are sent one by one (queue threshold 1) and copied whole, Ethernet header included.
 */
public final class NflogSocket implements AutoCloseable {
    /** A frame as nftables logged it. */
    public record LoggedFrame(int inputInterface, long mark, byte[] frame, long receivedNanos) {
    }

    private static final int NFNL_SUBSYS_ULOG = 4;
    private static final short NFULNL_MSG_PACKET = NFNL_SUBSYS_ULOG << 8;
    private static final short NFULNL_MSG_CONFIG = (NFNL_SUBSYS_ULOG << 8) | 1;
    private static final short NLMSG_ERROR = 2;
    private static final short NLM_F_REQUEST = 0x1;
    private static final short NLM_F_ACK = 0x4;
    private static final short NFULA_CFG_CMD = 1;
    private static final short NFULA_CFG_MODE = 2;
    private static final short NFULA_CFG_QTHRESH = 5;
    private static final byte NFULNL_CFG_CMD_BIND = 1;
    private static final byte NFULNL_COPY_PACKET = 2;
    private static final int NFULA_MARK = 2;
    private static final int NFULA_IFINDEX_INDEV = 4;
    private static final int NFULA_PAYLOAD = 9;
    private static final int NFULA_HWHEADER = 16;
    private static final int RECEIVE_BUFFER = 4 << 20;
    /** How often a blocked reader looks up to see whether the socket was closed. */
    private static final long POLL_MILLIS = 200;

    private final int fd;
    private final int group;
    private final MemorySegment buffer = Arena.ofAuto().allocate(1 << 17);
    private volatile boolean closed;
    private long dropped;

    private NflogSocket(int fd, int group) {
        this.fd = fd;
        this.group = group;
    }

    /**
     * Binds group {@code group} in the calling thread's network namespace (see {@link NamespaceThread#call}).
     *
     * @throws IllegalStateException when the kernel refuses, e.g. another socket holds the group already
     */
    public static NflogSocket open(int group) {
        int fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, PuntCalls.NETLINK_NETFILTER);
        NflogSocket s = new NflogSocket(fd, group);
        try {
            NativeCalls.setIntOption(fd, PuntCalls.SOL_SOCKET, PuntCalls.SO_RCVBUFFORCE, RECEIVE_BUFFER,
                    "SO_RCVBUFFORCE on the nflog socket");
            s.configure(NFULA_CFG_CMD, new byte[] {NFULNL_CFG_CMD_BIND}, "bind nflog group " + group);
            ByteBuffer mode = ByteBuffer.allocate(6).order(ByteOrder.BIG_ENDIAN).putInt(0xffff)
                    .put(NFULNL_COPY_PACKET).put((byte) 0);
            s.configure(NFULA_CFG_MODE, mode.array(), "copy whole frames of nflog group " + group);
            s.configure(NFULA_CFG_QTHRESH, bigEndian(1), "queue threshold of nflog group " + group);
            // The kernel's default message buffer (a page or two) is kept: it allocates that much per frame sent.
            NativeCalls.setReceiveTimeout(fd, java.time.Duration.ofMillis(POLL_MILLIS));
            return s;
        } catch (RuntimeException e) {
            NativeCalls.close(fd);
            throw e;
        }
    }

    public int group() {
        return group;
    }

    /** Frames lost because the socket's buffer was full (the kernel says how many times, not how many frames). */
    public long overruns() {
        return dropped;
    }

    /**
     * Waits for logged frames and returns those of one read (one or more), or an empty list when the wait timed
     * out (after at most 200 ms, so the reading thread can look whether it should stop). Called by one thread,
     * which also closes the socket: closing it under a blocked reader could hand its number to another file.
     */
    public List<LoggedFrame> receive() {
        while (!closed) {
            long n = PuntCalls.recv(fd, buffer, buffer.byteSize());
            if (n == -PuntCalls.EAGAIN || n == -PuntCalls.EINTR) {
                return List.of();
            }
            if (n == -PuntCalls.ENOBUFS) {
                dropped++;
                continue;
            }
            if (n < 0) {
                throw new NativeCalls.NativeException("recv on nflog group " + group, (int) -n,
                        NativeCalls.strerror((int) -n));
            }
            long now = System.nanoTime();
            return parse(buffer.asSlice(0, n).asByteBuffer().order(ByteOrder.nativeOrder()), now);
        }
        return List.of();
    }

    static List<LoggedFrame> parse(ByteBuffer b, long now) {
        List<LoggedFrame> frames = new ArrayList<>();
        int pos = 0;
        while (pos + 16 <= b.limit()) {
            int length = b.getInt(pos);
            short type = b.getShort(pos + 4);
            if (length < 16 || pos + length > b.limit()) {
                break;
            }
            if (type == NFULNL_MSG_PACKET) {
                LoggedFrame f = frame(b, pos + 20, pos + length, now);
                if (f != null) {
                    frames.add(f);
                }
            }
            pos += align(length);
        }
        return frames;
    }

    /** One packet message's attributes (after its nfgenmsg): the frame is the hardware header plus the payload. */
    private static LoggedFrame frame(ByteBuffer b, int from, int to, long now) {
        int in = 0;
        long mark = 0;
        byte[] header = new byte[0];
        byte[] payload = null;
        int pos = from;
        while (pos + 4 <= to) {
            int length = Short.toUnsignedInt(b.getShort(pos));
            int type = b.getShort(pos + 2) & 0x3fff;
            if (length < 4 || pos + length > to) {
                break;
            }
            int value = pos + 4;
            int size = length - 4;
            switch (type) {
                case NFULA_MARK -> mark = Integer.toUnsignedLong(bigEndianInt(b, value));
                case NFULA_IFINDEX_INDEV -> in = bigEndianInt(b, value);
                case NFULA_HWHEADER -> header = bytes(b, value, size);
                case NFULA_PAYLOAD -> payload = bytes(b, value, size);
                default -> {
                }
            }
            pos += align(length);
        }
        if (payload == null) {
            return null;
        }
        byte[] frame = new byte[header.length + payload.length];
        System.arraycopy(header, 0, frame, 0, header.length);
        System.arraycopy(payload, 0, frame, header.length, payload.length);
        return new LoggedFrame(in, mark, frame, now);
    }

    private static int bigEndianInt(ByteBuffer b, int at) {
        return ((b.get(at) & 0xff) << 24) | ((b.get(at + 1) & 0xff) << 16) | ((b.get(at + 2) & 0xff) << 8)
                | (b.get(at + 3) & 0xff);
    }

    private static byte[] bytes(ByteBuffer b, int at, int size) {
        byte[] out = new byte[size];
        b.get(at, out);
        return out;
    }

    private static int align(int n) {
        return (n + 3) & ~3;
    }

    private static byte[] bigEndian(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putInt(v).array();
    }

    /** Sends one config request for the group and waits for the kernel's acknowledgement. */
    private void configure(short attribute, byte[] value, String what) {
        int attrLength = 4 + value.length;
        int length = 16 + 4 + align(attrLength);
        ByteBuffer m = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        m.putInt(length).putShort(NFULNL_MSG_CONFIG).putShort((short) (NLM_F_REQUEST | NLM_F_ACK)).putInt(1)
                .putInt(0);
        // nfgenmsg: family AF_UNSPEC, version 0, the group in network order.
        m.put((byte) 0).put((byte) 0).order(ByteOrder.BIG_ENDIAN).putShort((short) group)
                .order(ByteOrder.nativeOrder());
        m.putShort((short) attrLength).putShort(attribute).put(value);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(length);
            MemorySegment.copy(m.array(), 0, out, ValueLayout.JAVA_BYTE, 0, length);
            Libc.send(fd, out, length);
            MemorySegment in = arena.allocate(4096);
            long n = PuntCalls.recv(fd, in, in.byteSize());
            if (n < 0) {
                throw new IllegalStateException(what + ": no answer from the kernel: "
                        + NativeCalls.strerror((int) -n));
            }
            ByteBuffer r = in.asSlice(0, n).asByteBuffer().order(ByteOrder.nativeOrder());
            if (r.getShort(4) == NLMSG_ERROR && r.getInt(16) != 0) {
                int errno = -r.getInt(16);
                throw new IllegalStateException(what + ": " + NativeCalls.strerror(errno) + " (errno " + errno + ")"
                        + (errno == 16 ? "; another program reads that group already" : ""));
            }
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            NativeCalls.close(fd);
        }
    }
}
