package net.mignet.kernel;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The inet sockets a process tree holds, read from {@code /proc}: which ports it has bound and how much waits
 * unread in each receive queue. Only the tree's own descriptors count, so a port bound by anything else on the
 * same host is never taken for the app's.
 */
public final class ProcessSockets {
    private static final String LISTEN = "0A";
    /** UDP first: small tables, where most of a tree's sockets are found before the TCP walk (see {@link #of}). */
    private static final List<String> TABLES = List.of("udp", "udp6", "tcp", "tcp6");

    private ProcessSockets() {
    }

    /**
     * One socket.
     *
     * @param protocol     {@code udp} or {@code tcp}
     * @param localAddress the bound address ({@code 0.0.0.0} or {@code ::} for all of the host's)
     * @param localPort    the bound port
     * @param listening    TCP: in LISTEN state; UDP: always true once bound
     * @param connected    TCP: has a peer (not listening); UDP: connected to one peer, so it takes nothing else
     * @param receiveQueue bytes waiting to be read
     */
    public record Socket(String protocol, InetAddress localAddress, int localPort, boolean listening,
            boolean connected, long receiveQueue, long inode, InetAddress remoteAddress, int remotePort) {
        /**
         * Whether it takes new requests sent to {@code address}: listening (TCP) or not connected (UDP), bound
         * there or to all addresses. (An IPv4-mapped IPv6 address reads as the IPv4 one.)
         */
        public boolean serves(InetAddress address) {
            boolean open = protocol.equals("tcp") ? listening : !connected;
            return open && (localAddress.isAnyLocalAddress() || localAddress.equals(address));
        }
    }

    /**
     * Every inet socket of the network namespace {@code pid} is in, whoever holds it (the kernel's tables list
     * them all); empty when the process is gone. Walks the TCP tables too, so it costs milliseconds: for a
     * migration's plan, not a loop.
     */
    public static List<Socket> inNamespaceOf(long pid) {
        Path net = Path.of("/proc", Long.toString(pid), "net");
        List<Socket> sockets = new ArrayList<>();
        for (String table : TABLES) {
            sockets.addAll(table(net, table));
        }
        return sockets;
    }

    /** The inodes of the sockets {@code rootPid} and all its descendants hold; empty when the process is gone. */
    public static Set<Long> inodesOf(long rootPid) {
        Set<Long> inodes = new HashSet<>();
        for (long pid : ProcessTree.of(rootPid)) {
            inodes.addAll(socketInodes(pid));
        }
        return inodes;
    }

    /** The inet sockets held by {@code rootPid} and all its descendants; empty when the process is gone. */
    public static List<Socket> of(long rootPid) {
        Set<Long> inodes = inodesOf(rootPid);
        List<Socket> sockets = new ArrayList<>();
        if (inodes.isEmpty()) {
            return sockets;
        }
        // Every process of the tree lives in the same network namespace; /proc/PID/net shows that one's sockets.
        // The TCP tables are read only for sockets not found among the UDP ones: the kernel walks its whole TCP
        // hash table for them (5 ms each here, every namespace's connections), the UDP one is small (0.05 ms).
        Path net = Path.of("/proc", Long.toString(rootPid), "net");
        Set<Long> unresolved = new HashSet<>(inodes);
        for (String table : TABLES) {
            if (unresolved.isEmpty()) {
                break;
            }
            for (Socket s : table(net, table)) {
                if (inodes.contains(s.inode())) {
                    sockets.add(s);
                    unresolved.remove(s.inode());
                }
            }
        }
        return sockets;
    }

    /** The sockets of one of {@code /proc/PID/net}'s tables ({@code udp}, {@code tcp6}, ...). */
    private static List<Socket> table(Path net, String table) {
        String protocol = table.startsWith("udp") ? "udp" : "tcp";
        List<Socket> sockets = new ArrayList<>();
        for (String line : lines(net.resolve(table))) {
            Socket s = parse(protocol, line);
            if (s != null) {
                sockets.add(s);
            }
        }
        return sockets;
    }

    /** Whether the process tree has a socket of {@code protocol} bound (UDP) or listening (TCP) on {@code port}. */
    public static boolean bound(long rootPid, String protocol, int port) {
        return of(rootPid).stream().anyMatch(s -> s.protocol().equals(protocol) && s.localPort() == port
                && s.listening());
    }

    /** Bytes waiting unread in all the tree's receive queues. */
    public static long unread(long rootPid) {
        return of(rootPid).stream().mapToLong(Socket::receiveQueue).sum();
    }

    /** {@code sl local rem st tx_queue:rx_queue tr:when retrnsmt uid timeout inode ...} */
    static Socket parse(String protocol, String line) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 10 || !f[0].endsWith(":")) {
            return null; // the header
        }
        try {
            int colon = f[1].lastIndexOf(':');
            InetAddress local = address(f[1].substring(0, colon));
            int port = Integer.parseInt(f[1].substring(colon + 1), 16);
            int remoteColon = f[2].lastIndexOf(':');
            InetAddress remote = address(f[2].substring(0, remoteColon));
            int remotePort = Integer.parseInt(f[2].substring(remoteColon + 1), 16);
            String[] queues = f[4].split(":");
            long rx = Long.parseLong(queues[1], 16);
            boolean listening = protocol.equals("udp") || f[3].equals(LISTEN);
            return new Socket(protocol, local, port, listening, remotePort != 0, rx, Long.parseLong(f[9]), remote,
                    remotePort);
        } catch (RuntimeException | UnknownHostException e) {
            return null;
        }
    }

    /**
     * An address as {@code /proc/net} prints it: the kernel's 32-bit words in hex, each read in the machine's
     * byte order, one word for IPv4 and four for IPv6.
     */
    static InetAddress address(String hex) throws UnknownHostException {
        boolean reversed = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                int at = word * 8 + (reversed ? 3 - i : i) * 2;
                bytes[word * 4 + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        return InetAddress.getByAddress(bytes);
    }

    private static Set<Long> socketInodes(long pid) {
        Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException | RuntimeException e) {
                    // Closed meanwhile.
                }
            }
        } catch (IOException e) {
            // The process is gone.
        }
        return inodes;
    }

    static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }
}
