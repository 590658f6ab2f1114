package net.mignet.apps;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import net.mignet.kernel.NativeCalls;

/**
 * The bounds of one TCP socket's retransmission timeout: its minimum (Linux's {@code TCP_RTO_MIN_US}) and its
 * maximum ({@code TCP_RTO_MAX_MS}), both kernel 6.15 and later. By default a lost segment waits at least 200 ms
 * for its retransmission; on a network whose round trip is a few milliseconds, a lost state segment would stall a
 * migration for that long. And each retransmission that is lost too doubles the wait, up to two minutes: with
 * 10 % loss on both state links of the reference scenario (a third of round trips lost), a 64 KiB warm-up took
 * 10 s once, its connection's timeout grown to 4 s (seen with {@code ss -ti}), and a migration now and then gave
 * up after 30 s. The maximum is therefore lowered to {@link #MAX}, the least the kernel allows. They are set on a
 * listening socket, whose accepted connections inherit them: set on a connected socket, the minimum would take
 * effect only over many round trips, since the kernel lets the variation it measured at the handshake decay
 * slowly.
 *
 * <p>The JDK gives no file descriptor for its sockets, so the socket is found the way Linux shows it: its
 * inode in {@code /proc/self/net/tcp} and {@code tcp6} by its ports, then the descriptor of this process that
 * points at that inode.
 */
final class TcpRetransmitTimeout {
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_RTO_MIN_US = 45;
    private static final int TCP_RTO_MAX_MS = 44;
    /** The least maximum Linux accepts; a state network with a longer round trip than this resends needlessly. */
    static final Duration MAX = Duration.ofSeconds(1);
    private static final String LISTEN = "0A";
    private static final int EINVAL = 22;
    private static final Duration TWO_COARSE_TICKS = Duration.ofMillis(20);

    private TcpRetransmitTimeout() {
    }

    /**
     * Sets the minimum on a bound listening socket, and the maximum to {@link #MAX}. The kernel refuses a minimum of
     * less than two of its clock ticks (EINVAL); then two ticks at the coarsest clock Linux has (100 Hz, so 20 ms)
     * are asked for instead. Returns the minimum set.
     */
    static Duration set(ServerSocket listener, Duration min) throws IOException {
        return set(descriptor(listener), min);
    }

    /**
     * Sets both on a socket not connected yet, as {@link #set(ServerSocket, Duration)} does on a listener: the
     * connection's first round trip then already counts with it. The socket is bound to an ephemeral port first,
     * since the JDK creates its descriptor only then; that descriptor is the one socket that appears in this
     * process across the bind (none is listed in {@code /proc/self/net/tcp} before it connects). Fails, leaving the
     * socket bound, when another socket appeared meanwhile.
     */
    static Duration setBeforeConnect(Socket unconnected, Duration min) throws IOException {
        Set<Long> before = socketDescriptors().keySet();
        unconnected.bind(null);
        Map<Long, Integer> after = socketDescriptors();
        Set<Long> created = new HashSet<>(after.keySet());
        created.removeAll(before);
        if (created.size() != 1) {
            throw new IOException(created.size() + " sockets appeared in this process while one was bound");
        }
        return set(after.get(created.iterator().next()), min);
    }

    /**
     * A successor's socket: {@link #setBeforeConnect} unless {@code min} is zero; where that fails the kernel's
     * timeouts stay, and the old instance's side, which sets them on its listener, has said so already.
     */
    static void trySetBeforeConnect(Socket unconnected, Duration min) {
        if (min.isZero()) {
            return;
        }
        try {
            setBeforeConnect(unconnected, min);
        } catch (IOException | RuntimeException e) {
            // the kernel's timeouts stay (see above)
        }
    }

    private static Duration set(int fd, Duration min) throws IOException {
        Duration set = setMin(fd, min);
        NativeCalls.setIntOption(fd, IPPROTO_TCP, TCP_RTO_MAX_MS, (int) MAX.toMillis(), "TCP_RTO_MAX_MS");
        return set;
    }

    private static Duration setMin(int fd, Duration min) throws IOException {
        try {
            NativeCalls.setIntOption(fd, IPPROTO_TCP, TCP_RTO_MIN_US, micros(min), "TCP_RTO_MIN_US");
            return min;
        } catch (NativeCalls.NativeException e) {
            if (e.errno() != EINVAL || min.compareTo(TWO_COARSE_TICKS) >= 0) {
                throw e;
            }
            NativeCalls.setIntOption(fd, IPPROTO_TCP, TCP_RTO_MIN_US, micros(TWO_COARSE_TICKS), "TCP_RTO_MIN_US");
            return TWO_COARSE_TICKS;
        }
    }

    /** The minimum in force on a connected socket (the kernel rounds to its clock ticks). */
    static Duration of(Socket connected) throws IOException {
        return Duration.ofNanos(1000L * NativeCalls.intOption(descriptor(connected), IPPROTO_TCP, TCP_RTO_MIN_US,
                "TCP_RTO_MIN_US"));
    }

    /** The maximum in force on a connected socket. */
    static Duration maxOf(Socket connected) throws IOException {
        return Duration.ofMillis(NativeCalls.intOption(descriptor(connected), IPPROTO_TCP, TCP_RTO_MAX_MS,
                "TCP_RTO_MAX_MS"));
    }

    private static int micros(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toNanos() / 1000);
    }

    private static int descriptor(ServerSocket s) throws IOException {
        return descriptorOf(inodes(s.getLocalPort(), -1));
    }

    private static int descriptor(Socket s) throws IOException {
        return descriptorOf(inodes(s.getLocalPort(), s.getPort()));
    }

    /** Inodes of the TCP sockets with this local port and remote port (-1: listening sockets). */
    private static Set<Long> inodes(int localPort, int remotePort) throws IOException {
        Set<Long> found = new HashSet<>();
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            Path p = Path.of(table);
            if (!Files.exists(p)) {
                continue;
            }
            List<String> lines = Files.readAllLines(p);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) { // after the header
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && port(f[1]) == localPort
                        && (remotePort < 0 ? f[3].equals(LISTEN) : port(f[2]) == remotePort)) {
                    found.add(Long.parseLong(f[9]));
                }
            }
        }
        if (found.isEmpty()) {
            throw new IOException("no TCP socket with local port " + localPort + " in /proc/self/net");
        }
        return found;
    }

    private static int port(String hexAddress) {
        return Integer.parseInt(hexAddress.substring(hexAddress.indexOf(':') + 1), 16);
    }

    /** This process's socket descriptors by their sockets' inodes. */
    private static Map<Long, Integer> socketDescriptors() throws IOException {
        Map<Long, Integer> found = new HashMap<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // closed while we looked
                }
                if (target.startsWith("socket:[")) {
                    found.put(Long.parseLong(target.substring(8, target.length() - 1)),
                            Integer.parseInt(fd.getFileName().toString()));
                }
            }
        }
        return found;
    }

    private static int descriptorOf(Set<Long> inodes) throws IOException {
        for (Map.Entry<Long, Integer> e : socketDescriptors().entrySet()) {
            if (inodes.contains(e.getKey())) {
                return e.getValue();
            }
        }
        throw new IOException("this process has no descriptor for socket inodes " + inodes);
    }
}
