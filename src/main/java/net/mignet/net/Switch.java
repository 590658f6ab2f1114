package net.mignet.net;

import java.util.List;
import java.util.function.Supplier;
import net.mignet.kernel.NftSession;
import net.mignet.linkemu.HoldEngine;
import net.mignet.linkemu.HoldQueue;

/** A running switch: a learning bridge in the fabric namespace with a flow table in front of it. */
public final class Switch {
    private final String name;
    private final String fabricNamespace;
    private final List<String> ports;
    private final FlowTable flowTable;
    private final Supplier<HoldEngine> holds;

    Switch(String name, String fabricNamespace, List<String> ports, NftSession nft, Supplier<HoldEngine> holds) {
        this.name = name;
        this.fabricNamespace = fabricNamespace;
        this.ports = List.copyOf(ports);
        this.flowTable = new FlowTable(name, fabricNamespace, this.ports, nft);
        this.holds = holds;
    }

    public String name() {
        return name;
    }

    /** The network namespace the switch's bridge and ports live in. */
    public String fabricNamespace() {
        return fabricNamespace;
    }

    /** Port names: the switch-side interface names, e.g. {@code s1-h1}. */
    public List<String> ports() {
        return ports;
    }

    public FlowTable flowTable() {
        return flowTable;
    }

    /** {@link #hold(String, int)} with room for {@value HoldEngine#DEFAULT_LIMIT} frames. */
    public FrameHold hold(String oldPort) {
        return hold(oldPort, HoldEngine.DEFAULT_LIMIT);
    }

    /**
     * Holds, at this switch, the frames that the flow rules would send out of {@code oldPort}: in one atomic
     * change of the flow table, every rule whose action outputs to it sends to a hold queue instead (rules added
     * or changed during the hold too). At most {@code limit} frames are queued; more are dropped and counted in
     * the report. Frames the learning bridge (no rule, or action normal) sends to the port are not held.
     */
    public FrameHold hold(String oldPort, int limit) {
        if (!ports.contains(oldPort)) {
            throw new IllegalArgumentException("switch " + name + " has no port '" + oldPort + "' (ports: "
                    + String.join(", ", ports) + ")");
        }
        HoldQueue queue = holds.get().open(limit);
        try {
            flowTable.holdPort(oldPort, queue.device());
        } catch (RuntimeException e) {
            queue.abandon();
            throw e;
        }
        return new FrameHold(flowTable, oldPort, queue);
    }

    @Override
    public String toString() {
        return name;
    }
}
