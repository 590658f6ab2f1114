package net.mignet.topo;

import java.util.List;
import net.mignet.flow.FlowRule;

/**
 * A switch: a learning bridge with a flow table in front of it.
 *
 * @param name     node name, unique in the topology
 * @param flows    rules installed when the switch comes up, in the order given
 * @param openflow its OpenFlow settings from the file ({@link SwitchOpenFlow#NONE} when none)
 */
public record SwitchSpec(String name, List<FlowRule> flows, SwitchOpenFlow openflow) {
    public SwitchSpec {
        Names.requireSwitchName(name);
        flows = List.copyOf(flows);
        openflow = openflow == null ? SwitchOpenFlow.NONE : openflow;
    }

    public SwitchSpec(String name, List<FlowRule> flows) {
        this(name, flows, SwitchOpenFlow.NONE);
    }

    public SwitchSpec(String name) {
        this(name, List.of());
    }
}
