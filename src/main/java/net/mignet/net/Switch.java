package net.mignet.net;

import java.util.List;
import net.mignet.kernel.NftSession;

/** A running switch: a learning bridge in the fabric namespace with a flow table in front of it. */
public final class Switch {
    private final String name;
    private final List<String> ports;
    private final FlowTable flowTable;

    Switch(String name, String fabricNamespace, List<String> ports, NftSession nft) {
        this.name = name;
        this.ports = List.copyOf(ports);
        this.flowTable = new FlowTable(name, fabricNamespace, this.ports, nft);
    }

    public String name() {
        return name;
    }

    /** Port names: the switch-side interface names, e.g. {@code s1-h1}. */
    public List<String> ports() {
        return ports;
    }

    public FlowTable flowTable() {
        return flowTable;
    }

    @Override
    public String toString() {
        return name;
    }
}
