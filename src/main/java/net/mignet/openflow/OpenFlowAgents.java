package net.mignet.openflow;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import net.mignet.net.Emulation;
import net.mignet.net.Switch;

/** The OpenFlow agents of an emulation's switches, closed together with it. */
public final class OpenFlowAgents implements AutoCloseable {
    private final List<OpenFlowAgent> agents;

    private OpenFlowAgents(List<OpenFlowAgent> agents) {
        this.agents = List.copyOf(agents);
    }

    /** No agents: an emulation without OpenFlow. */
    public static OpenFlowAgents none() {
        return new OpenFlowAgents(List.of());
    }

    /**
     * Starts an agent per switch listening on 127.0.0.1: the first switch (in the topology file's order) on
     * {@code listenBase}, the next on {@code listenBase + 1}, and so on. Datapath ids are 1, 2, ... in that order.
     */
    public static OpenFlowAgents listenFrom(Emulation net, int listenBase, Consumer<String> log) {
        if (listenBase < 1 || listenBase + net.switches().size() - 1 > 65535) {
            throw new IllegalArgumentException("--openflow-listen-base " + listenBase + " leaves no room for "
                    + net.switches().size() + " ports below 65536");
        }
        List<OpenFlowAgent> started = new ArrayList<>();
        try {
            int i = 0;
            for (Switch sw : net.switches()) {
                InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), listenBase + i);
                started.add(OpenFlowAgent.start(sw, i + 1, at, net.events(), log));
                i++;
            }
        } catch (RuntimeException e) {
            started.forEach(OpenFlowAgent::close);
            throw e;
        }
        return new OpenFlowAgents(started);
    }

    /** Connects every switch's agent to the controller at {@code controller} (see {@link OpenFlowAgent#connectTo}). */
    public void connectAllTo(InetSocketAddress controller) {
        agents.forEach(a -> a.connectTo(controller));
    }

    /** Parses {@code tcp:HOST:PORT} (a loopback host), as {@code --controller} takes it. */
    public static InetSocketAddress parseController(String text) {
        String[] parts = text.split(":");
        if (parts.length != 3 || !parts[0].equals("tcp")) {
            throw new IllegalArgumentException("controller '" + text + "' must be tcp:HOST:PORT, e.g. tcp:127.0.0.1:6653");
        }
        int port;
        try {
            port = Integer.parseInt(parts[2]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("controller '" + text + "': port '" + parts[2] + "' is no number");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("controller '" + text + "': port must be within 1..65535");
        }
        InetSocketAddress at = new InetSocketAddress(parts[1], port);
        if (at.isUnresolved() || !at.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("controller '" + text + "': only loopback addresses (127.0.0.0/8)"
                    + " are allowed, so the emulation never talks to another machine");
        }
        return at;
    }

    public List<OpenFlowAgent> agents() {
        return agents;
    }

    /** One line per agent, e.g. {@code s1  dpid 0000000000000001  listening on tcp:127.0.0.1:6634  1 connection}. */
    public List<String> describe() {
        return agents.stream().map(a -> String.format("%-8s dpid %016x  listening on tcp:%s:%d  %d connection(s)",
                a.switchName(), a.datapathId(), a.listenAddress().getAddress().getHostAddress(),
                a.listenAddress().getPort(), a.connections())).toList();
    }

    @Override
    public void close() {
        agents.forEach(OpenFlowAgent::close);
    }
}
