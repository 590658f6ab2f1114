package net.mignet.migrate;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.mignet.kernel.ProcessSockets;

/**
 * Connections an app holds over the loopback interface to a process that is not moving with it (a local database,
 * a sidecar): a checkpoint takes the app's end to the new host, where no peer answers, and the connection is
 * reset there while the peer on the old host is left with a half-open one. Said before the move, since the move
 * itself succeeds.
 */
final class LoopbackPeers {
    private LoopbackPeers() {
    }

    /** One line per such connection of the tree of {@code rootPid}, e.g. {@code 127.0.0.1:40312 -> 127.0.0.1:7300}. */
    static List<String> leftBehind(long rootPid) {
        Set<Long> mine = ProcessSockets.inodesOf(rootPid);
        List<ProcessSockets.Socket> all = ProcessSockets.inNamespaceOf(rootPid);
        List<String> found = new ArrayList<>();
        for (ProcessSockets.Socket s : all) {
            if (!mine.contains(s.inode()) || !s.protocol().equals("tcp") || !s.connected()
                    || !s.localAddress().isLoopbackAddress()) {
                continue;
            }
            // The peer's end: the socket whose local end is this one's remote end, held by someone else.
            boolean peerStays = all.stream().anyMatch(p -> p.protocol().equals("tcp") && !mine.contains(p.inode())
                    && p.localAddress().equals(s.remoteAddress()) && p.localPort() == s.remotePort()
                    && p.remotePort() == s.localPort());
            if (peerStays) {
                found.add(s.localAddress().getHostAddress() + ":" + s.localPort() + " -> "
                        + s.remoteAddress().getHostAddress() + ":" + s.remotePort());
            }
        }
        return found;
    }
}
