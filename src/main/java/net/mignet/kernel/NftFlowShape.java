package net.mignet.kernel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.mignet.flow.FlowAction;
import net.mignet.flow.FlowMatch;
import net.mignet.flow.FlowRule;
import net.mignet.flow.SetField;

/**
 * What flows stored as elements of one nftables set have in common: priority, in_port, EtherType, IP protocol,
 * which exact fields they match (MACs, IPv4 addresses, TCP/UDP ports) and the whole action with its rewrites. Such
 * flows differ only in those fields' values, so one rule looks them up in a set ({@code ip daddr . udp dport
 * @flows}) and each flow is an element with its own counter. Adding a flow is then adding an element, which the
 * kernel does without parsing expressions, creating a counter object or copying a chain: a controller's burst of
 * similar flows costs a fraction of as many rules, and a change costs the same with 5 000 flows as with none.
 * <p>
 * Each shape has a table of its own ({@link #table}) with the set and, per port chain it applies to, the lookup
 * rule; it hooks after the rule slices of its priority ({@link NftShard#SHAPE_BLOCK}). Among equal priorities,
 * OpenFlow leaves the order of overlapping flows undefined; flows of one shape never overlap, as their keys are
 * exact.
 *
 * @param fields the exact fields of the key, a bit set of {@link #ETH_DST} ... {@link #TP_DST}
 */
public record NftFlowShape(int priority, String inPort, Integer ethType, Integer ipProto, int fields,
        FlowAction action, List<SetField> rewrites) {
    static final int ETH_DST = 1;
    static final int ETH_SRC = 2;
    static final int IP_SRC = 4;
    static final int IP_DST = 8;
    static final int TP_SRC = 16;
    static final int TP_DST = 32;
    private static final int FIELDS = 6;
    /** nftables' datatypes of the fields, in key order: ether_addr, ipv4_addr, inet_service. */
    private static final int[] TYPES = {9, 9, 7, 7, 13, 13};
    private static final String[] TYPE_NAMES = {"ether_addr", "ether_addr", "ipv4_addr", "ipv4_addr",
        "inet_service", "inet_service"};
    private static final int[] LENGTHS = {6, 6, 4, 4, 2, 2};
    /** The set of each shape table, and the comment of its lookup rules. */
    public static final String SET = "flows";
    static final String LOOKUP_COMMENT = "lookup";

    /**
     * The shape of {@code rule} when it can be stored as a set element, else null: its match has at least one exact
     * MAC, IPv4 host address or TCP/UDP port and nothing a key cannot hold (masks, prefixes, VLAN, ARP fields), and
     * its action does not send to the controller (whose mark carries the rule's id).
     */
    public static NftFlowShape of(FlowRule rule) {
        FlowMatch m = rule.match();
        if (rule.action().toController() || m.vlanVid() != null || m.ethSrcMask() != null || m.ethDstMask() != null
                || m.arpSha() != null || m.arpTha() != null || m.isArp()) {
            return null;
        }
        boolean ipFields = m.ipSrc() != null || m.ipDst() != null || m.ipProto() != null;
        if (ipFields && !Integer.valueOf(0x0800).equals(m.ethType())) {
            return null;
        }
        if ((m.ipSrc() != null && m.ipSrc().length() != 32) || (m.ipDst() != null && m.ipDst().length() != 32)) {
            return null;
        }
        boolean ports = m.tpSrc() != null || m.tpDst() != null;
        if (ports && (m.ipProto() == null || (m.ipProto() != 6 && m.ipProto() != 17))) {
            return null;
        }
        int fields = (m.ethDst() != null ? ETH_DST : 0) | (m.ethSrc() != null ? ETH_SRC : 0)
                | (m.ipSrc() != null ? IP_SRC : 0) | (m.ipDst() != null ? IP_DST : 0)
                | (m.tpSrc() != null ? TP_SRC : 0) | (m.tpDst() != null ? TP_DST : 0);
        if (fields == 0) {
            return null;
        }
        return new NftFlowShape(rule.priority(), m.inPort(), m.ethType(), m.ipProto(), fields, rule.action(),
                rule.rewrites());
    }

    private boolean has(int field) {
        return (fields & (1 << field)) != 0;
    }

    private int count() {
        return Integer.bitCount(fields);
    }

    /** Whether the shape's lookup rule is in the chain of {@code port}. */
    public boolean appliesTo(String port) {
        return inPort == null || inPort.equals(port);
    }

    /** The table of the shape: the head table's name, the priority and a hash of the shape. */
    public String table(String head) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : toString().getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        return head + "__" + priority + "_k" + String.format("%016x", hash);
    }

    /** Whether {@code table} is a shape table of switch table {@code head}. */
    public static boolean isTable(String head, String table) {
        // head__<priority>_k<16 hex digits>; called for every table of a namespace: no regular expression.
        int start = head.length() + 2;
        int hash = table.length() - 16;
        if (!table.startsWith(head + "__") || hash - 2 <= start || table.charAt(hash - 2) != '_'
                || table.charAt(hash - 1) != 'k') {
            return false;
        }
        for (int i = start; i < hash - 2; i++) {
            if (table.charAt(i) < '0' || table.charAt(i) > '9') {
                return false;
            }
        }
        for (int i = hash; i < table.length(); i++) {
            char c = table.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    /** Ingress hook priority: after the rule slices of the same priority, before those of lower ones. */
    public int hookPriority() {
        return new NftShard(priority, NftShard.SHAPE_BLOCK).hookPriority();
    }

    /** nftables' key type: the fields' datatypes, 6 bits each, the first highest. */
    int keyType() {
        int type = 0;
        for (int f = 0; f < FIELDS; f++) {
            if (has(f)) {
                type = (type << 6) | TYPES[f];
            }
        }
        return type;
    }

    /** The key's length: one field as it is, a concatenation with each field in whole 32-bit registers. */
    int keyLength() {
        int length = 0;
        for (int f = 0; f < FIELDS; f++) {
            if (has(f)) {
                length += count() == 1 ? LENGTHS[f] : (LENGTHS[f] + 3) / 4 * 4;
            }
        }
        return length;
    }

    /** The key of a flow of this shape, as the lookup builds it from a frame. */
    public byte[] key(FlowMatch m) {
        byte[] key = new byte[keyLength()];
        int at = 0;
        for (int f = 0; f < FIELDS; f++) {
            if (!has(f)) {
                continue;
            }
            byte[] value = value(m, f);
            System.arraycopy(value, 0, key, at, value.length);
            at += count() == 1 ? value.length : (value.length + 3) / 4 * 4;
        }
        return key;
    }

    private static byte[] value(FlowMatch m, int field) {
        return switch (field) {
            case 0 -> m.ethDst().toBytes();
            case 1 -> m.ethSrc().toBytes();
            case 2 -> m.ipSrc().address().toBytes();
            case 3 -> m.ipDst().address().toBytes();
            case 4 -> new byte[] {(byte) (m.tpSrc() >>> 8), (byte) (int) m.tpSrc()};
            default -> new byte[] {(byte) (m.tpDst() >>> 8), (byte) (int) m.tpDst()};
        };
    }

    /** The key of a flow in nft's syntax ({@code 10.0.0.2 . 80}). */
    String keyText(FlowMatch m) {
        List<String> parts = new ArrayList<>();
        for (int f = 0; f < FIELDS; f++) {
            if (has(f)) {
                parts.add(switch (f) {
                    case 0 -> m.ethDst().toString();
                    case 1 -> m.ethSrc().toString();
                    case 2 -> m.ipSrc().address().toString();
                    case 3 -> m.ipDst().address().toString();
                    case 4 -> String.valueOf(m.tpSrc());
                    default -> String.valueOf(m.tpDst());
                });
            }
        }
        return String.join(" . ", parts);
    }

    /** The set's type in nft's syntax ({@code ipv4_addr . inet_service}). */
    String typeText() {
        List<String> parts = new ArrayList<>();
        for (int f = 0; f < FIELDS; f++) {
            if (has(f)) {
                parts.add(TYPE_NAMES[f]);
            }
        }
        return String.join(" . ", parts);
    }

    /** The match without the key's fields: what the lookup rule compares before looking up. */
    FlowMatch fixedMatch() {
        return new FlowMatch(null, null, null, ethType, null, null, ipProto, null, null);
    }

    /** The key's fields as nft writes them, in key order ({@code ip daddr . udp dport}). */
    String keyFieldsText() {
        String transport = ipProto == null ? null : ipProto == 6 ? "tcp" : "udp";
        List<String> parts = new ArrayList<>();
        for (int f = 0; f < FIELDS; f++) {
            if (has(f)) {
                parts.add(switch (f) {
                    case 0 -> "ether daddr";
                    case 1 -> "ether saddr";
                    case 2 -> "ip saddr";
                    case 3 -> "ip daddr";
                    case 4 -> transport + " sport";
                    default -> transport + " dport";
                });
            }
        }
        return String.join(" . ", parts);
    }

    /** The payload loads of the key's fields: base (0 link, 1 network, 2 transport), offset, length, in order. */
    List<int[]> keyLoads() {
        List<int[]> loads = new ArrayList<>();
        for (int f = 0; f < FIELDS; f++) {
            if (has(f)) {
                loads.add(switch (f) {
                    case 0 -> new int[] {0, 0, 6};
                    case 1 -> new int[] {0, 6, 6};
                    case 2 -> new int[] {1, 12, 4};
                    case 3 -> new int[] {1, 16, 4};
                    case 4 -> new int[] {2, 0, 2};
                    default -> new int[] {2, 2, 2};
                });
            }
        }
        return loads;
    }

    /** The lookup rule in the chain of {@code port} as nft text: fixed match, lookup, rewrites, action. */
    String ruleText(String port, List<String> ports, Map<String, String> diverted) {
        List<String> words = new ArrayList<>(NftFlowCompiler.matchWords(fixedMatch()));
        words.add(keyFieldsText() + " @" + SET);
        for (SetField f : rewrites) {
            words.add(NftFlowCompiler.rewriteWords(f));
        }
        words.add(NftFlowCompiler.actionWords(action, port, ports, diverted));
        words.add("comment " + NftFlowCompiler.quoted(LOOKUP_COMMENT));
        return String.join(" ", words);
    }
}
