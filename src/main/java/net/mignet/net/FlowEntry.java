package net.mignet.net;

import java.util.List;
import net.mignet.flow.FlowRule;

/**
 * A rule in a switch's flow table with its id and the traffic it has matched so far. {@code heldPorts} are the
 * ports of its output action whose frames a {@link FrameHold} queues at the switch now instead (empty when none).
 * {@code options} are its OpenFlow cookie and timeouts; {@code installedNanos} the {@link System#nanoTime()} at
 * which it was installed.
 */
public record FlowEntry(long id, FlowRule rule, long packets, long bytes, List<String> heldPorts,
        FlowOptions options, long installedNanos) {
    public FlowEntry {
        heldPorts = List.copyOf(heldPorts);
        options = options == null ? FlowOptions.NONE : options;
    }

    public FlowEntry(long id, FlowRule rule, long packets, long bytes, List<String> heldPorts) {
        this(id, rule, packets, bytes, heldPorts, FlowOptions.NONE, 0);
    }

    public FlowEntry(long id, FlowRule rule, long packets, long bytes) {
        this(id, rule, packets, bytes, List.of());
    }

    /** True while a frame hold queues some of this rule's output. */
    public boolean held() {
        return !heldPorts.isEmpty();
    }
}
