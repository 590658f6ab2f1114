package net.mignet.linkemu;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import net.mignet.kernel.IpBatch;
import net.mignet.kernel.NamespaceThread;

/**
 * Parks frames in userspace for an emulation, for kernels without an in-kernel way to (no {@code sch_plug}, no
 * nftables {@code queue}). Each hold gets a veth pair in the fabric namespace, {@code _hold<n>} and
 * {@code _hold<n>r}: flow rules {@code fwd} the frames to be held to {@code _hold<n>}, they come out of its peer,
 * where one {@link HoldLoop} thread reads them with an {@code AF_PACKET} socket and queues them, and later sends
 * them out of a switch port with another. Pairs are made when first needed and reused by later holds; they go
 * with the fabric namespace. Frames cross userspace with their {@code virtio_net_hdr}, so partial checksums
 * and GSO frames of the hosts' veths arrive intact without turning offloads off.
 */
public final class HoldEngine implements AutoCloseable {
    /** The default bound of a hold's queue, in frames. */
    public static final int DEFAULT_LIMIT = 10_000;

    private final String fabric;
    private final Consumer<String> log;
    private final List<HoldSlot> free = new ArrayList<>();
    private int created;
    private HoldLoop loop;
    private boolean closed;

    public HoldEngine(String fabric, Consumer<String> log) {
        this.fabric = fabric;
        this.log = log;
    }

    /**
     * Starts queuing on a free hold device (made now if none is free); frames the rules send to
     * {@link HoldQueue#device()} from now on are kept, at most {@code limit}, until released.
     */
    public synchronized HoldQueue open(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("a frame hold needs room for at least one frame (limit " + limit + ")");
        }
        if (closed) {
            throw new IllegalStateException("the emulation is closed: no frame hold can start");
        }
        HoldSlot slot = free.isEmpty() ? create() : free.removeLast();
        try {
            return new HoldQueue(this, loop, slot, loop.start(slot, limit));
        } catch (RuntimeException e) {
            free.add(slot);
            throw e;
        }
    }

    synchronized void giveBack(HoldSlot slot) {
        if (!closed) {
            free.add(slot);
        }
    }

    /** Hold devices made so far (for tests and reports). */
    public synchronized int devices() {
        return created;
    }

    private HoldSlot create() {
        if (loop == null) {
            // Started from a thread in the fabric: the loop thread stays in that namespace for good.
            loop = NamespaceThread.call(fabric, () -> new HoldLoop(log));
        }
        String device = "_hold" + created;
        String peer = device + "r";
        IpBatch.ipIn(fabric).add("link", "add", "name", device, "type", "veth", "peer", "name", peer)
                .add("link", "set", "dev", peer, "up").add("link", "set", "dev", device, "up").run();
        created++;
        return loop.attach(device, peer);
    }

    /** Stops the loop and closes its sockets; the devices go with the fabric namespace. */
    @Override
    public synchronized void close() {
        closed = true;
        if (loop != null) {
            loop.close();
            loop = null;
        }
        free.clear();
    }
}
