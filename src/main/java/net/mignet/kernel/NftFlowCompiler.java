package net.mignet.kernel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import net.mignet.flow.FlowAction;
import net.mignet.flow.FlowMatch;
import net.mignet.flow.FlowRule;
import net.mignet.flow.SetField;
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
     * The script that makes the switch's head table {@code head} and its slices ({@link NftShard}) hold exactly
     * {@code rules}, which must be in table order; {@code existing} are the slice tables the kernel has now (slices
     * no rule is in any more are deleted), {@code removed} the rules gone since, whose counters are deleted. With
     * {@code rebind}, the port chains (which must exist) are deleted and created again in the same transaction,
     * which binds them to the devices that carry the ports' names now: a chain stays hooked to the device it was
     * created on, and {@code fwd to} resolves names when loaded, so both go stale when a port's device is replaced
     * (link emulation does that). Outputs to a port in {@code diverted} go to the device it maps to instead (a
     * frame hold's device, which is no port of the switch and has no chain).
     */
    public static String compile(String head, List<String> ports, List<NumberedRule> rules,
            Collection<NumberedRule> removed, Collection<String> existing, boolean rebind, Map<String, String> diverted) {
        return compile(head, ports, rules, removed, existing, rebind, diverted, null, new FlowAction.Normal());
    }

    /**
     * As {@link #compile(String, List, List, Collection, Collection, boolean, Map)}, with OpenFlow's punt path
     * ({@code packetIn}, or null for none: frames for the controller are then dropped) and what frames no rule
     * took meet ({@code miss}: {@code normal}, the learning bridge, as without OpenFlow; {@code drop}; or
     * {@code controller}), both in the switch's tail table ({@link NftPacketIn}).
     */
    public static String compile(String head, List<String> ports, List<NumberedRule> rules,
            Collection<NumberedRule> removed, Collection<String> existing, boolean rebind, Map<String, String> diverted,
            NftPacketIn packetIn, FlowAction miss) {
        return compile(head, ports, rules, removed, existing, rebind, diverted, packetIn, miss, Map.of());
    }

    /**
     * As above; flows of a shape ({@link NftFlowShape}) become elements of their shape's set, each starting from
     * its counts in {@code carriedCounts} (by id; the shape tables are made anew, so their counts are carried), and
     * counters the kernel does not have yet start from their counts there too.
     */
    public static String compile(String head, List<String> ports, List<NumberedRule> allRules,
            Collection<NumberedRule> removed, Collection<String> existing, boolean rebind, Map<String, String> diverted,
            NftPacketIn packetIn, FlowAction miss, Map<Long, long[]> carriedCounts) {
        Map<NftFlowShape, Map<String, NumberedRule>> shapes = new java.util.LinkedHashMap<>();
        List<NumberedRule> rules = new ArrayList<>();
        for (NumberedRule r : allRules) {
            NftFlowShape shape = NftFlowShape.of(r.rule());
            if (shape == null) {
                rules.add(r);
            } else {
                // Equal keys share an element, which counts for the first flow (see NftFlowMaps).
                shapes.computeIfAbsent(shape, k -> new java.util.LinkedHashMap<>())
                        .merge(shape.keyText(r.rule().match()), r, (a, b) -> a.id() < b.id() ? a : b);
            }
        }
        StringBuilder s = new StringBuilder();
        s.append("table netdev ").append(head).append(" { }\n");
        s.append("flush table netdev ").append(head).append('\n');
        if (rebind) {
            deleteChains(s, head, ports);
        }
        s.append("table netdev ").append(head).append(" {\n");
        for (int i = 0; i < ports.size(); i++) {
            chainHeader(s, i, ports.get(i), NftShard.HEAD_HOOK_PRIORITY);
            // A frame from another switch of the fabric keeps the mark that switch gave it (veths within one
            // namespace do not clear it): every bit of the flow table's is cleared.
            s.append("    meta mark set meta mark & ").append(hex(~NftPacketIn.FLOW_TABLE_BITS)).append('\n');
            s.append("  }\n");
        }
        s.append("}\n");
        Map<NftShard, List<NumberedRule>> slices = new java.util.TreeMap<>();
        for (NumberedRule r : rules) {
            slices.computeIfAbsent(NftShard.of(r.rule().priority(), r.id()), k -> new ArrayList<>()).add(r);
        }
        java.util.Set<String> present = new java.util.HashSet<>(existing);
        for (String table : existing) {
            NftShard shard = NftShard.parse(head, table);
            if (shard != null && !slices.containsKey(shard)) {
                s.append("delete table netdev ").append(table).append('\n');
            }
        }
        for (Map.Entry<NftShard, List<NumberedRule>> e : slices.entrySet()) {
            String table = e.getKey().table(head);
            if (present.contains(table)) {
                s.append("flush table netdev ").append(table).append('\n');
                if (rebind) {
                    deleteChains(s, table, ports);
                }
            }
            s.append("table netdev ").append(table).append(" {\n");
            for (NumberedRule r : e.getValue()) {
                // A counter the kernel has keeps its counts; a new one (of a flow that was an element) starts from
                // the element's.
                long[] c = carriedCounts.get(r.id());
                s.append("  counter ").append(counterName(r.id())).append(c == null ? " { }\n"
                        : " { packets " + c[0] + " bytes " + c[1] + " }\n");
            }
            for (int i = 0; i < ports.size(); i++) {
                String port = ports.get(i);
                chainHeader(s, i, port, e.getKey().hookPriority());
                s.append("    meta mark & ").append(hex(NftShard.NORMAL_MARK)).append(" == ")
                        .append(hex(NftShard.NORMAL_MARK)).append(" accept\n");
                for (NumberedRule r : e.getValue()) {
                    String inPort = r.rule().match().inPort();
                    if (inPort == null || inPort.equals(port)) {
                        s.append("    ").append(ruleText(r, port, ports, diverted)).append('\n');
                    }
                }
                s.append("  }\n");
            }
            s.append("}\n");
            if (present.contains(table)) {
                for (NumberedRule r : removed) {
                    if (NftShard.of(r.rule().priority(), r.id()).equals(e.getKey())) {
                        s.append("delete counter netdev ").append(table).append(' ').append(counterName(r.id()))
                                .append('\n');
                    }
                }
            }
        }
        for (String table : existing) {
            if (NftFlowShape.isTable(head, table)) {
                s.append("delete table netdev ").append(table).append('\n');
            }
        }
        for (Map.Entry<NftFlowShape, Map<String, NumberedRule>> e : shapes.entrySet()) {
            shapeTable(s, head, ports, e.getKey(), e.getValue(), diverted, carriedCounts);
        }
        String tail = NftPacketIn.tailTable(head);
        boolean tailThere = existing.contains(tail);
        if (hasTail(packetIn, miss, rules)) {
            if (tailThere) {
                // Deleted whole: its limit and punt chain may go or change, which flushing would not do.
                s.append("delete table netdev ").append(tail).append('\n');
            }
            s.append("table netdev ").append(tail).append(" {\n").append(NftPacketIn.tailBody(packetIn, ports, miss))
                    .append("}\n");
        } else if (tailThere) {
            s.append("delete table netdev ").append(tail).append('\n');
        }
        return s.toString();
    }

    /** A shape's table: its set with the flows' keys (and counts), and the lookup rule in each chain it applies to. */
    private static void shapeTable(StringBuilder s, String head, List<String> ports, NftFlowShape shape,
            Map<String, NumberedRule> byKey, Map<String, String> diverted, Map<Long, long[]> counts) {
        s.append("table netdev ").append(shape.table(head)).append(" {\n");
        s.append("  set ").append(NftFlowShape.SET).append(" {\n    type ").append(shape.typeText())
                .append("\n    counter\n    elements = { ");
        boolean first = true;
        for (Map.Entry<String, NumberedRule> k : byKey.entrySet()) {
            long[] c = counts.getOrDefault(k.getValue().id(), new long[2]);
            s.append(first ? "" : ", ").append(k.getKey()).append(" counter packets ").append(c[0]).append(" bytes ")
                    .append(c[1]);
            first = false;
        }
        s.append(" }\n  }\n");
        for (int i = 0; i < ports.size(); i++) {
            String port = ports.get(i);
            if (!shape.appliesTo(port)) {
                continue;
            }
            chainHeader(s, i, port, shape.hookPriority());
            s.append("    meta mark & ").append(hex(NftShard.NORMAL_MARK)).append(" == ")
                    .append(hex(NftShard.NORMAL_MARK)).append(" accept\n");
            s.append("    ").append(shape.ruleText(port, ports, diverted)).append('\n');
            s.append("  }\n");
        }
        s.append("}\n");
    }

    /**
     * Whether the switch's table has a tail table ({@link NftPacketIn}): with a punt path, a miss other than the
     * bridge, or a {@code controller} rule.
     */
    public static boolean hasTail(NftPacketIn packetIn, FlowAction miss, Collection<NumberedRule> rules) {
        return packetIn != null || !(miss instanceof FlowAction.Normal)
                || rules.stream().anyMatch(r -> r.rule().action().toController());
    }

    private static void chainHeader(StringBuilder s, int index, String port, int hookPriority) {
        s.append("  chain ").append(chainName(index)).append(" {\n");
        s.append("    type filter hook ingress device ").append(quoted(port)).append(" priority ")
                .append(hookPriority).append("; policy accept;\n");
    }

    private static void deleteChains(StringBuilder s, String table, List<String> ports) {
        for (int i = 0; i < ports.size(); i++) {
            s.append("delete chain netdev ").append(table).append(' ').append(chainName(i)).append('\n');
        }
    }

    private static String hex(int value) {
        return String.format("0x%08x", value);
    }

    public static String counterName(long id) {
        return "r" + id;
    }

    public static String chainName(int portIndex) {
        return "port" + portIndex;
    }

    /** One rule in the chain of {@code inPort}: its match, its counter, its action. */
    static String ruleText(NumberedRule r, String inPort, List<String> ports) {
        return ruleText(r, inPort, ports, Map.of());
    }

    static String ruleText(NumberedRule r, String inPort, List<String> ports, Map<String, String> diverted) {
        List<String> words = new ArrayList<>(matchWords(r.rule().match()));
        words.add("counter name " + quoted(counterName(r.id())));
        for (SetField f : r.rule().rewrites()) {
            words.add(rewriteWords(f));
        }
        words.add(r.rule().action().toController() ? puntWords(r, inPort, ports, diverted)
                : actionWords(r.rule().action(), inPort, ports, diverted));
        // The comment names the rule, so a listing of the kernel's rules (with their handles) maps back to ids.
        words.add("comment " + quoted(counterName(r.id())));
        return String.join(" ", words);
    }

    static List<String> matchWords(FlowMatch m) {
        List<String> w = new ArrayList<>();
        if (m.ethSrc() != null) {
            w.add(m.ethSrcMask() == null ? "ether saddr " + m.ethSrc()
                    : "ether saddr & " + m.ethSrcMask() + " == " + m.ethSrc());
        }
        if (m.ethDst() != null) {
            w.add(m.ethDstMask() == null ? "ether daddr " + m.ethDst()
                    : "ether daddr & " + m.ethDstMask() + " == " + m.ethDst());
        }
        boolean tagged = m.vlanVid() != null && m.vlanVid() != FlowMatch.VLAN_NONE;
        if (m.vlanVid() != null) {
            w.add(tagged ? "vlan id " + m.vlanVid() : "ether type != 0x8100");
        }
        if (m.ethType() != null) {
            // Behind a tag, the EtherType is the tagged frame's own.
            w.add(String.format(tagged ? "vlan type 0x%04x" : "ether type 0x%04x", m.ethType()));
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

    /** A rewrite; nft fixes the IPv4 and TCP/UDP checksums of an address it sets. */
    static String rewriteWords(SetField f) {
        return switch (f) {
            case SetField.EthSrc s -> "ether saddr set " + s.mac();
            case SetField.EthDst d -> "ether daddr set " + d.mac();
            case SetField.Ipv4Src s -> "ip saddr set " + s.address();
            case SetField.Ipv4Dst d -> "ip daddr set " + d.address();
        };
    }

    /**
     * A rule that sends frames to the controller: copies to the ports it also outputs to, then the mark with its id
     * (after the copies, which must not carry it) for the tail table, which punts the frame and then drops it or,
     * for {@code normal,controller}, lets it pass to the bridge.
     */
    private static String puntWords(NumberedRule r, String inPort, List<String> ports, Map<String, String> diverted) {
        List<String> w = new ArrayList<>();
        for (String copy : puntCopies(r.rule().action(), inPort, ports, diverted)) {
            w.add("dup to " + quoted(copy));
        }
        w.add("meta mark set " + hex(NftPacketIn.markOf(r.id(), r.rule().action())) + " accept");
        return String.join(" ", w);
    }

    /** The devices a rule that also sends to the controller copies a frame to ({@code dup}). */
    static List<String> puntCopies(FlowAction action, String inPort, List<String> ports, Map<String, String> diverted) {
        List<String> targets = action instanceof FlowAction.WithController w
                ? targets(w.forward(), inPort, ports, diverted) : null;
        return targets == null ? List.of() : targets;
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
        List<String> targets = targets(action, inPort, ports, diverted);
        if (targets == null) {
            // Marked, so the slices after this one let the frame pass to the bridge (see NftShard).
            return "meta mark set meta mark | " + hex(NftShard.NORMAL_MARK) + " accept";
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

    /**
     * The devices a frame arriving on {@code inPort} is sent to: null to hand it to the bridge (normal), empty to
     * drop it. The last one gets the frame ({@code fwd}), the others copies ({@code dup}).
     */
    static List<String> targets(FlowAction action, String inPort, List<String> ports, Map<String, String> diverted) {
        return switch (action) {
            case FlowAction.Drop d -> List.of();
            // Only for telling rules apart: the frame is marked for the tail table (see NftPacketIn).
            case FlowAction.Controller c -> List.of();
            case FlowAction.WithController w -> targets(w.forward(), inPort, ports, diverted);
            case FlowAction.Normal n -> null;
            case FlowAction.Flood f -> ports.stream().filter(p -> !p.equals(inPort)).toList();
            case FlowAction.Output o -> o.ports().stream().filter(p -> !p.equals(inPort))
                    .map(p -> diverted.getOrDefault(p, p)).distinct().toList();
        };
    }

    private static String prefix(Ipv4Prefix p) {
        return p.length() == 32 ? p.address().toString() : p.network() + "/" + p.length();
    }

    static String quoted(String name) {
        // Interface names are validated to [A-Za-z0-9_.-], so quoting cannot be escaped.
        return "\"" + name + "\"";
    }
}
