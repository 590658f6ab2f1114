package net.mignet.kernel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import net.mignet.flow.FlowAction;
import net.mignet.flow.FlowMatch;
import net.mignet.flow.FlowRule;
import net.mignet.topo.Ipv4Prefix;

/**
 * Compiles a switch's flow table into one nftables script: a {@code netdev} table with an ingress chain per
 * switch port, run before the bridge sees the frame. Applied with {@code nft -f}, the script is one atomic
 * transaction. Each rule counts into a named counter {@code r<id>}, which outlives the rules that use it, so
 * counters survive changes of the table.
 */
public final class NftFlowCompiler {
    private NftFlowCompiler() {
    }

    /** A rule with the id it keeps for its whole life in the table. */
    public record NumberedRule(long id, FlowRule rule) {
    }

    /**
     * The script that makes {@code table} hold exactly {@code rules}, which must be in table order; the
     * counters of {@code removedIds} are deleted.
     */
    public static String compile(String table, List<String> ports, List<NumberedRule> rules,
            Collection<Long> removedIds) {
        return compile(table, ports, rules, removedIds, false);
    }

    /**
     * As {@link #compile(String, List, List, Collection)}; with {@code rebind}, the port chains (which must
     * exist) are deleted and created again in the same transaction, which binds them to the devices that carry
     * the ports' names now: a chain stays hooked to the device it was created on, and {@code fwd to} resolves
     * names when loaded, so both go stale when a port's device is replaced (link emulation does that).
     */
    public static String compile(String table, List<String> ports, List<NumberedRule> rules,
            Collection<Long> removedIds, boolean rebind) {
        return compile(table, ports, rules, removedIds, rebind, Map.of());
    }

    /**
     * As {@link #compile(String, List, List, Collection, boolean)}, with some ports diverted: a rule's output to
     * a port in {@code diverted} goes to the device it maps to instead (a frame hold's device, which is no port of
     * the switch and has no chain). The rules themselves, their ids and counters stay as they are.
     */
    public static String compile(String table, List<String> ports, List<NumberedRule> rules,
            Collection<Long> removedIds, boolean rebind, Map<String, String> diverted) {
        return compile(table, ports, rules, removedIds, rebind, diverted, null, new FlowAction.Normal());
    }

    /**
     * As {@link #compile(String, List, List, Collection, boolean, Map)}, with OpenFlow's punt path: rules whose
     * action is {@code controller} hand frames to {@code packetIn} (or drop them when it is null), and frames no
     * rule matched meet {@code miss}: {@code normal} (the learning bridge, as without OpenFlow), {@code drop} or
     * {@code controller}.
     */
    public static String compile(String table, List<String> ports, List<NumberedRule> rules,
            Collection<Long> removedIds, boolean rebind, Map<String, String> diverted, NftPacketIn packetIn,
            FlowAction miss) {
        StringBuilder s = new StringBuilder();
        s.append("table netdev ").append(table).append(" { }\n");
        s.append("flush table netdev ").append(table).append('\n');
        if (rebind) {
            for (int i = 0; i < ports.size(); i++) {
                s.append("delete chain netdev ").append(table).append(' ').append(chainName(i)).append('\n');
            }
        }
        s.append("table netdev ").append(table).append(" {\n");
        for (NumberedRule r : rules) {
            s.append("  counter ").append(counterName(r.id())).append(" { }\n");
        }
        if (packetIn != null) {
            s.append(packetIn.declarations());
        }
        for (int i = 0; i < ports.size(); i++) {
            String port = ports.get(i);
            s.append("  chain ").append(chainName(i)).append(" {\n");
            // A table miss that drops is the chain's policy: rules (normal's accept too) keep their verdicts.
            s.append("    type filter hook ingress device ").append(quoted(port))
                    .append(" priority 0; policy ").append(miss instanceof FlowAction.Drop ? "drop" : "accept")
                    .append(";\n");
            for (NumberedRule r : rules) {
                String inPort = r.rule().match().inPort();
                if (inPort == null || inPort.equals(port)) {
                    String text = r.rule().action() instanceof FlowAction.Controller && packetIn != null
                            ? ruleMatchAndCounter(r) + " " + packetIn.verdict(r.id())
                            : ruleText(r, port, ports, diverted);
                    s.append("    ").append(text).append('\n');
                }
            }
            if (miss instanceof FlowAction.Controller) {
                // Last in the chain: only frames no rule took get here (OpenFlow 1.0's miss to the controller).
                s.append("    ").append(packetIn != null ? packetIn.verdict(NftPacketIn.MISS_MARK) : "drop")
                        .append('\n');
            }
            s.append("  }\n");
        }
        s.append("}\n");
        for (long id : removedIds) {
            s.append("delete counter netdev ").append(table).append(' ').append(counterName(id)).append('\n');
        }
        return s.toString();
    }

    public static String counterName(long id) {
        return "r" + id;
    }

    private static String chainName(int portIndex) {
        return "port" + portIndex;
    }

    /** One rule in the chain of {@code inPort}: its match, its counter, its action. */
    static String ruleText(NumberedRule r, String inPort, List<String> ports) {
        return ruleText(r, inPort, ports, Map.of());
    }

    private static String ruleMatchAndCounter(NumberedRule r) {
        List<String> words = new ArrayList<>(matchWords(r.rule().match()));
        words.add("counter name " + quoted(counterName(r.id())));
        return String.join(" ", words);
    }

    static String ruleText(NumberedRule r, String inPort, List<String> ports, Map<String, String> diverted) {
        List<String> words = new ArrayList<>(matchWords(r.rule().match()));
        words.add("counter name " + quoted(counterName(r.id())));
        words.add(actionWords(r.rule().action(), inPort, ports, diverted));
        return String.join(" ", words);
    }

    static List<String> matchWords(FlowMatch m) {
        List<String> w = new ArrayList<>();
        if (m.ethSrc() != null) {
            w.add("ether saddr " + m.ethSrc());
        }
        if (m.ethDst() != null) {
            w.add("ether daddr " + m.ethDst());
        }
        if (m.ethType() != null) {
            w.add(String.format("ether type 0x%04x", m.ethType()));
        }
        if (m.isArp()) {
            w.addAll(arpWords(m));
            return w;
        }
        if (m.ipSrc() != null) {
            w.add("ip saddr " + prefix(m.ipSrc()));
        }
        if (m.ipDst() != null) {
            w.add("ip daddr " + prefix(m.ipDst()));
        }
        if (m.ipProto() != null) {
            w.add("ip protocol " + m.ipProto());
        }
        String transport = m.ipProto() == null ? null : switch (m.ipProto()) {
            case 6 -> "tcp";
            case 17 -> "udp";
            default -> null;
        };
        if (m.tpSrc() != null) {
            w.add(transport + " sport " + m.tpSrc());
        }
        if (m.tpDst() != null) {
            w.add(transport + " dport " + m.tpDst());
        }
        return w;
    }

    /** ARP's fields: sender and target addresses (IPv4 and Ethernet) and the opcode, from the ARP header. */
    private static List<String> arpWords(FlowMatch m) {
        List<String> w = new ArrayList<>();
        if (m.ipProto() != null) {
            w.add("arp operation " + m.ipProto());
        }
        if (m.ipSrc() != null) {
            w.add("arp saddr ip " + prefix(m.ipSrc()));
        }
        if (m.ipDst() != null) {
            w.add("arp daddr ip " + prefix(m.ipDst()));
        }
        if (m.arpSha() != null) {
            w.add("arp saddr ether " + m.arpSha());
        }
        if (m.arpTha() != null) {
            w.add("arp daddr ether " + m.arpTha());
        }
        return w;
    }

    /**
     * The verdict. As in OpenFlow, a frame is never sent back out of the port it came in on unless asked,
     * so a rule without in_port that outputs to port P does nothing for frames arriving on P.
     */
    static String actionWords(FlowAction action, String inPort, List<String> ports) {
        return actionWords(action, inPort, ports, Map.of());
    }

    /** As above; outputs to a diverted port go to its device. Only explicit outputs are diverted, not flood. */
    static String actionWords(FlowAction action, String inPort, List<String> ports, Map<String, String> diverted) {
        List<String> targets = switch (action) {
            case FlowAction.Drop d -> List.of();
            case FlowAction.Controller c -> List.of(); // without a punt path: dropped, as OVS without controller
            case FlowAction.Normal n -> null;
            case FlowAction.Flood f -> ports.stream().filter(p -> !p.equals(inPort)).toList();
            case FlowAction.Output o -> o.ports().stream().filter(p -> !p.equals(inPort))
                    .map(p -> diverted.getOrDefault(p, p)).distinct().toList();
        };
        if (targets == null) {
            return "accept";
        }
        if (targets.isEmpty()) {
            return "drop";
        }
        List<String> w = new ArrayList<>();
        for (int i = 0; i < targets.size() - 1; i++) {
            w.add("dup to " + quoted(targets.get(i)));
        }
        w.add("fwd to " + quoted(targets.getLast()));
        return String.join(" ", w);
    }

    private static String prefix(Ipv4Prefix p) {
        return p.length() == 32 ? p.address().toString() : p.network() + "/" + p.length();
    }

    private static String quoted(String name) {
        // Interface names are validated to [A-Za-z0-9_.-], so quoting cannot be escaped.
        return "\"" + name + "\"";
    }
}
