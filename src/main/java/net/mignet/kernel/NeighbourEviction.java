package net.mignet.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Holds back the kernel's flush of interfaces' IPv4 neighbour entries on carrier loss ({@code arp_evict_nocarrier},
 * Linux 5.16+) while mignet itself interrupts their carrier for a moment, as the link engine does when it takes a
 * switch port down to put itself in the middle of a running link. With its entry flushed, a host resolves its
 * neighbour again, and the datagrams it sends meanwhile wait in the entry's queue, which the kernel then sends
 * interleaved with newer ones (seen: 10, 11, 0, 12, 13, 1, 2, 14, ...). Closing puts back each interface's setting
 * as it was, so a carrier loss the user causes later flushes as the kernel's default does.
 */
public final class NeighbourEviction implements AutoCloseable {
    private static final Path IPV4_CONF = Path.of("/proc/sys/net/ipv4/conf");
    private static final String SETTING = "arp_evict_nocarrier";

    private record Held(String namespace, Path setting, String before) {
    }

    private final List<Held> held;

    private NeighbourEviction(List<Held> held) {
        this.held = held;
    }

    /**
     * Keeps the neighbour entries of each named interface (by namespace) through carrier loss until {@link
     * #close}. An interface without the setting (no IPv4, a kernel before 5.16) or one that is gone is skipped:
     * its entries are flushed as before, which costs a new resolution, not a frame.
     */
    public static NeighbourEviction holdBack(Map<String, List<String>> devicesByNamespace) {
        List<Held> held = new ArrayList<>();
        devicesByNamespace.forEach((namespace, devices) -> held.addAll(NamespaceThread.call(namespace, () -> {
            List<Held> here = new ArrayList<>();
            for (String device : devices) {
                Path setting = IPV4_CONF.resolve(device).resolve(SETTING);
                String before = swap(setting, "0");
                if (before != null) {
                    here.add(new Held(namespace, setting, before));
                }
            }
            return here;
        })));
        return new NeighbourEviction(held);
    }

    /** How many interfaces keep their entries now. */
    public int held() {
        return held.size();
    }

    @Override
    public void close() {
        for (Held h : held) {
            NamespaceThread.call(h.namespace(), () -> swap(h.setting(), h.before()));
        }
        held.clear();
    }

    /** Writes {@code value} and returns what was there, or null when the setting is missing or refused. */
    private static String swap(Path setting, String value) {
        try {
            String before = Files.readString(setting).strip();
            if (!before.equals(value)) {
                Files.writeString(setting, value);
            }
            return before;
        } catch (IOException e) {
            return null; // gone with its interface, or no such setting on this kernel
        }
    }
}
