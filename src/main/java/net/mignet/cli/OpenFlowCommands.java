package net.mignet.cli;

import net.mignet.net.Emulation;
import net.mignet.net.Switch;
import net.mignet.openflow.OpenFlowAgents;

/** The shell's view of the switches' OpenFlow agents. */
final class OpenFlowCommands {
    private final Emulation net;
    private final OpenFlowAgents agents;

    OpenFlowCommands(Emulation net, OpenFlowAgents agents) {
        this.net = net;
        this.agents = agents;
    }

    void registerAll(Shell shell) {
        shell.register(new ShellCommand("switches", "switches", "list switches with their ports (OpenFlow numbers)"
                + " and OpenFlow listeners", (a, out) -> {
                    for (Switch sw : net.switches()) {
                        StringBuilder line = new StringBuilder(sw.name()).append(" ports:");
                        for (int i = 0; i < sw.ports().size(); i++) {
                            line.append(' ').append(i + 1).append(':').append(sw.ports().get(i));
                        }
                        out.println(line);
                    }
                    if (agents.agents().isEmpty()) {
                        out.println("(no OpenFlow agents: start run with --openflow-listen-base PORT)");
                    }
                    agents.describe().forEach(out::println);
                }));
    }
}
