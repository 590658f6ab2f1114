package net.mignet.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Holds back the kernel's flush of interfaces' neighbour entries on carrier loss ({@code arp_evict_nocarrier},
 * Linux 5.16+, and {@code ndisc_evict_nocarrier}, 5.18+, for a host that turned IPv6 on) while mignet itself interrupts their carrier for a moment, as the link engine does when it takes a
 * switch port down to put itself in the middle of a running link. With its entry flushed, a host resolves its
 * neighbour again, and the datagrams it sends meanwhile wait in the entry's queue, which the kernel then sends
 * interleaved with newer ones (seen: 10, 11, 0, 12, 13, 1, 2, 14, ...). Closing puts back each interface's setting
 * as it was, so a carrier loss the user causes later flushes as the kernel's default does.
 */
public final class NeighbourEviction implements AutoCloseable {
    /** Where a family keeps its per-interface settings, and the name of this one. */
    private record Family(Path conf, String setting) {
        Path of(String device) {
            return conf.resolve(device).resolve(setting);
        }
    }

    private static final List<Family> FAMILIES = List.of(
            new Family(Path.of("/proc/sys/net/ipv4/conf"), "arp_evict_nocarrier"),
            new Family(Path.of("/proc/sys/net/ipv6/conf"), "ndisc_evict_nocarrier"));

    private record Held(Path setting, String before) {
    }

    /** What each namespace's settings were, by namespace. */
    private final Map<String, List<Held>> held;

    private NeighbourEviction(Map<String, List<Held>> held) {
        this.held = held;
    }

    /**
     * Keeps the neighbour entries of each named interface (by namespace) through carrier loss until {@link
     * #close}. A setting that is missing (a family turned off, an older kernel, an interface that is gone) is
     * skipped: those entries are flushed as before, which costs a new resolution, not a frame.
     */
    public static NeighbourEviction holdBack(Map<String, List<String>> devicesByNamespace) {
        NeighbourEviction eviction = new NeighbourEviction(new LinkedHashMap<>());
        try {
            devicesByNamespace.forEach((namespace, devices) -> eviction.held.put(namespace,
                    NamespaceThread.call(namespace, () -> holdBackHere(devices))));
        } catch (RuntimeException e) {
            eviction.close(); // those already held go back: a namespace that cannot be entered stops the rest
            throw e;
        }
        return eviction;
    }

    private static List<Held> holdBackHere(List<String> devices) {
        List<Held> here = new ArrayList<>();
        for (String device : devices) {
            for (Family family : FAMILIES) {
                Path setting = family.of(device);
                String before = swap(setting, "0");
                if (before != null) {
                    here.add(new Held(setting, before));
                }
            }
        }
        return here;
    }

    /** Puts each setting back; a namespace that is gone meanwhile took its settings with it. */
    @Override
    public void close() {
        held.forEach((namespace, settings) -> {
            try {
                NamespaceThread.call(namespace, () -> {
                    settings.forEach(h -> swap(h.setting(), h.before()));
                    return null;
                });
            } catch (RuntimeException e) {
                // Nothing to put back: the namespace, and its interfaces' settings, are gone.
            }
        });
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
