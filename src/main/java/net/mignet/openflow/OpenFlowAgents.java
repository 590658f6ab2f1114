package net.mignet.openflow;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import net.mignet.net.Emulation;
import net.mignet.net.Switch;
import net.mignet.topo.FailMode;
import net.mignet.topo.OpenFlowAddress;
import net.mignet.topo.SwitchOpenFlow;
import net.mignet.topo.SwitchSpec;

/** The OpenFlow agents of an emulation's switches, closed together with it. */
public final class OpenFlowAgents implements AutoCloseable {
    private final List<OpenFlowAgent> agents;

    /**
     * What the command line says for every switch; the topology file's keys of a switch win over it.
     *
     * @param listenBase   {@code --openflow-listen-base}: the first switch (file order) listens on it, the next
     *                     on the port after, ...; null: only switches with {@code openflow: {listen: ...}} get a
     *                     fixed port
     * @param controller   {@code --controller}, or null
     * @param failMode     {@code --fail-mode}, or null (standalone)
     * @param packetInRate {@code --packet-in-rate}, or null (1000 per second)
     */
    public record Options(Integer listenBase, OpenFlowAddress controller, FailMode failMode, Integer packetInRate) {
        public static final Options NONE = new Options(null, null, null, null);

        /** Whether the command line asks for OpenFlow on every switch. */
        boolean forAll() {
            return listenBase != null || controller != null;
        }
    }

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
        return start(net, new Options(listenBase, null, null, null), log);
    }

    /**
     * Starts the agents the topology file and the command line ask for: every switch gets one when the command
     * line gives a listen base or a controller, else the switches with OpenFlow keys in the file do. Datapath ids
     * are 1, 2, ... in file order (of all switches). A switch without a fixed listen port listens on a free one
     * of 127.0.0.1, shown by {@code switches}. Hosts stop offloading checksums first (see {@link HostOffloads}).
     */
    public static OpenFlowAgents start(Emulation net, Options options, Consumer<String> log) {
        List<Switch> switches = List.copyOf(net.switches());
        checkListenBase(options.listenBase(), switches.size());
        List<Integer> wanted = new ArrayList<>();
        for (int i = 0; i < switches.size(); i++) {
            if (options.forAll() || settingsOf(net, switches.get(i)).given()) {
                wanted.add(i);
            }
        }
        if (wanted.isEmpty()) {
            return none();
        }
        HostOffloads.disableChecksumOffload(net);
        List<OpenFlowAgent> started = new ArrayList<>();
        try {
            for (int i : wanted) {
                Switch sw = switches.get(i);
                SwitchOpenFlow file = settingsOf(net, sw);
                InetSocketAddress listen = file.listen() != null ? socketAddress(file.listen())
                        : new InetSocketAddress(InetAddress.getLoopbackAddress(),
                                options.listenBase() == null ? 0 : options.listenBase() + i);
                FailMode failMode = file.failMode() != null ? file.failMode()
                        : options.failMode() != null ? options.failMode() : FailMode.STANDALONE;
                int rate = file.packetInRate() != null ? file.packetInRate()
                        : options.packetInRate() != null ? options.packetInRate() : PuntPath.DEFAULT_RATE;
                OpenFlowAgent agent = OpenFlowAgent.start(sw, i + 1, listen, net.events(), log, failMode, rate);
                started.add(agent);
                OpenFlowAddress controller = file.controller() != null ? file.controller() : options.controller();
                if (controller != null) {
                    agent.connectTo(socketAddress(controller));
                }
            }
        } catch (RuntimeException e) {
            started.forEach(OpenFlowAgent::close);
            throw e;
        }
        return new OpenFlowAgents(started);
    }

    /**
     * Refuses a {@code --openflow-listen-base} that is no port, or from which {@code switches} consecutive ports
     * would run past 65535; {@code mignet run} calls it before building anything. Null (not given) passes.
     */
    public static void checkListenBase(Integer listenBase, int switches) {
        if (listenBase == null) {
            return;
        }
        if (listenBase < 1 || listenBase > 65535) {
            throw new IllegalArgumentException("--openflow-listen-base " + listenBase + " is not a port; give one of"
                    + " 1-65535, e.g. 6634");
        }
        int last = listenBase + Math.max(switches, 1) - 1;
        if (last > 65535) {
            throw new IllegalArgumentException("--openflow-listen-base " + listenBase + " leaves no room for the "
                    + switches + " switches' ports " + listenBase + ".." + last + " (the last port is 65535); give at"
                    + " most " + (65536 - switches));
        }
    }

    /**
     * As {@link #start}, then says each agent's line ({@code *** OpenFlow s1  dpid ...}, see {@link #describe})
     * through {@code log}: what {@code mignet run} prints at start, in the shell and unattended alike.
     */
    public static OpenFlowAgents startAndDescribe(Emulation net, Options options, Consumer<String> log) {
        OpenFlowAgents agents = start(net, options, log);
        agents.describe().forEach(line -> log.accept("*** OpenFlow " + line));
        return agents;
    }

    private static SwitchOpenFlow settingsOf(Emulation net, Switch sw) {
        return net.topology().switches().stream().filter(s -> s.name().equals(sw.name())).findFirst()
                .map(SwitchSpec::openflow).orElse(SwitchOpenFlow.NONE);
    }

    private static InetSocketAddress socketAddress(OpenFlowAddress a) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(a.host().toBytes()), a.port());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("cannot happen: four bytes are an IPv4 address", e);
        }
    }

    /** Connects every switch's agent to the controller at {@code controller} (see {@link OpenFlowAgent#connectTo}). */
    public void connectAllTo(InetSocketAddress controller) {
        agents.forEach(a -> a.connectTo(controller));
    }

    /** Parses {@code tcp:HOST:PORT} (a loopback host), as {@code --controller} takes it. */
    public static InetSocketAddress parseController(String text) {
        return socketAddress(OpenFlowAddress.parseController(text));
    }

    public List<OpenFlowAgent> agents() {
        return agents;
    }

    /**
     * One line per agent, e.g. {@code s1  dpid 0000000000000001  listening on tcp:127.0.0.1:6634  fail-mode
     * secure  controller tcp:127.0.0.1:6653 (connected)  1 connection(s)}.
     */
    public List<String> describe() {
        return agents.stream().map(a -> String.format("%-8s dpid %016x  listening on tcp:%s:%d  fail-mode %s%s  %d"
                + " connection(s)", a.switchName(), a.datapathId(), a.listenAddress().getAddress().getHostAddress(),
                a.listenAddress().getPort(), a.failMode(), a.controllerTarget() == null ? ""
                        : "  controller tcp:" + a.controllerTarget().getAddress().getHostAddress() + ":"
                                + a.controllerTarget().getPort() + (a.controllers() > 0 ? " (connected)"
                                        : " (not connected)"), a.connections())).toList();
    }

    @Override
    public void close() {
        agents.forEach(OpenFlowAgent::close);
    }
}
