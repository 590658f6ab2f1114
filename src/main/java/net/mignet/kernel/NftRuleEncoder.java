package net.mignet.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import net.mignet.flow.FlowMatch;
import net.mignet.flow.FlowRule;
import net.mignet.flow.SetField;
import net.mignet.topo.Ipv4Prefix;
import net.mignet.topo.MacAddress;

/**
 * Encodes a flow rule into nf_tables expressions, the netlink form of what {@link NftFlowCompiler} writes as
 * text: the same loads, comparisons, counter, rewrites and verdict, so a rule behaves the same whether the whole
 * table was loaded by {@code nft} or the rule was added alone over netlink.
 */
public final class NftRuleEncoder {
    private static final int NFTA_LIST_ELEM = 1;
    private static final int NFTA_EXPR_NAME = 1;
    private static final int NFTA_EXPR_DATA = 2;
    private static final int REG_VERDICT = 0;
    private static final int REG_1 = 1;
    /** The first 32-bit register, which shares its storage with register 1. */
    private static final int REG32_00 = 8;
    private static final int NFTA_LOOKUP_SET = 1;
    private static final int NFTA_LOOKUP_SREG = 2;
    private static final int BASE_LL = 0;
    private static final int BASE_NETWORK = 1;
    private static final int BASE_TRANSPORT = 2;
    private static final int META_IIFTYPE = 8;
    private static final int META_MARK = 3;
    private static final int ARPHRD_ETHER = 1;
    private static final int CSUM_NONE = 0;
    private static final int CSUM_INET = 1;
    private static final int L4CSUM_PSEUDOHDR = 1;
    private static final int IPV4_CHECKSUM_OFFSET = 10;
    private static final int NF_DROP = 0;
    private static final int NF_ACCEPT = 1;

    private NftRuleEncoder() {
    }

    /**
     * The expressions of {@code rule} in the chain of port {@code inPort}: match, counter {@code r<id>}, rewrites,
     * verdict. Outputs to a port in {@code diverted} go to the device it maps to; {@code ifindex} gives a
     * device's index in the switch's namespace, which {@code fwd} and {@code dup} name devices by.
     */
    public static byte[] encode(NftFlowCompiler.NumberedRule numbered, String inPort, List<String> ports,
            Map<String, String> diverted, ToIntFunction<String> ifindex) {
        NetlinkMessages m = new NetlinkMessages(1024);
        FlowRule rule = numbered.rule();
        match(m, rule.match());
        objref(m, NftFlowCompiler.counterName(numbered.id()));
        for (SetField f : rule.rewrites()) {
            rewrite(m, f);
        }
        List<String> targets = NftFlowCompiler.targets(rule.action(), inPort, ports, diverted);
        if (rule.action().toController()) {
            // As NftFlowCompiler's text: copies to the other outputs first, then the mark for the tail table.
            for (String copy : NftFlowCompiler.puntCopies(rule.action(), inPort, ports, diverted)) {
                immediate(m, le32(ifindex.applyAsInt(copy)));
                int e = begin(m, "dup");
                m.be32(2, REG_1);
                end(m, e);
            }
            immediate(m, le32(NftPacketIn.markOf(numbered.id(), rule.action())));
            setMeta(m, META_MARK);
            verdict(m, NF_ACCEPT);
        } else {
            action(m, targets, ifindex);
        }
        return m.toArray();
    }

    /** The verdict of a rule that does not send to the controller: to the bridge, dropped or out of ports. */
    private static void action(NetlinkMessages m, List<String> targets, ToIntFunction<String> ifindex) {
        if (targets == null) {
            markNormal(m);
            verdict(m, NF_ACCEPT);
        } else if (targets.isEmpty()) {
            verdict(m, NF_DROP);
        } else {
            for (int i = 0; i < targets.size(); i++) {
                toDevice(m, ifindex.applyAsInt(targets.get(i)), i < targets.size() - 1);
            }
        }
    }

    /**
     * The lookup rule of a shape ({@link NftFlowShape}) in the chain of {@code inPort}: the fixed match, the key's
     * fields loaded into consecutive registers (each field in whole 32-bit registers, as nft concatenates), the
     * lookup in the shape's set (whose elements count), the rewrites and the action. The same expressions nft
     * makes of {@link NftFlowShape#ruleText}.
     */
    static byte[] encodeLookup(NftFlowShape shape, String inPort, List<String> ports, Map<String, String> diverted,
            ToIntFunction<String> ifindex) {
        NetlinkMessages m = new NetlinkMessages(512);
        ByteBuffer type = ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) ARPHRD_ETHER);
        meta(m, META_IIFTYPE);
        cmp(m, 0, type.array());
        if (shape.ethType() != null) {
            load(m, BASE_LL, 12, 2);
            cmp(m, 0, be16(shape.ethType()));
        }
        if (shape.ipProto() != null) {
            load(m, BASE_NETWORK, 9, 1);
            cmp(m, 0, new byte[] {(byte) (int) shape.ipProto()});
        }
        List<int[]> loads = shape.keyLoads();
        int at = 0;
        for (int[] l : loads) {
            loadInto(m, at == 0 ? REG_1 : REG32_00 + at / 4, l[0], l[1], l[2]);
            at += (l[2] + 3) / 4 * 4;
        }
        int e = begin(m, "lookup");
        m.string(NFTA_LOOKUP_SET, NftFlowShape.SET);
        m.be32(NFTA_LOOKUP_SREG, REG_1);
        end(m, e);
        for (SetField f : shape.rewrites()) {
            rewrite(m, f);
        }
        action(m, NftFlowCompiler.targets(shape.action(), inPort, ports, diverted), ifindex);
        return m.toArray();
    }

    /** Sends the frame to the device with index {@code ifindex}: a copy ({@code dup}), or the frame itself. */
    private static void toDevice(NetlinkMessages m, int ifindex, boolean copy) {
        immediate(m, le32(ifindex));
        int e = begin(m, copy ? "dup" : "fwd");
        // fwd's device register is attribute 1, dup's is 2 (its 1 is an address).
        m.be32(copy ? 2 : 1, REG_1);
        end(m, e);
    }

    /** The expressions of a rule that sends frames to device {@code ifindex}: a copy, or the frame itself. */
    static byte[] forwardToIndex(int ifindex, boolean copy) {
        NetlinkMessages m = new NetlinkMessages(256);
        toDevice(m, ifindex, copy);
        return m.toArray();
    }

    /** The first rule of each slice's chain: a frame a higher slice handed to the bridge passes untouched. */
    public static byte[] passMarked() {
        NetlinkMessages m = new NetlinkMessages();
        byte[] bit = le32(NftShard.NORMAL_MARK);
        meta(m, META_MARK);
        bitwise(m, 4, bit);
        cmp(m, 0, bit);
        verdict(m, NF_ACCEPT);
        return m.toArray();
    }

    /** Sets the mark bit of a frame handed to the bridge, which the later slices let pass. */
    private static void markNormal(NetlinkMessages m) {
        meta(m, META_MARK);
        bitwiseXor(m, le32(~NftShard.NORMAL_MARK), le32(NftShard.NORMAL_MARK));
        setMeta(m, META_MARK);
    }

    private static void setMeta(NetlinkMessages m, int key) {
        int e = begin(m, "meta");
        m.be32(2, key);
        m.be32(3, REG_1);
        end(m, e);
    }

    private static void bitwiseXor(NetlinkMessages m, byte[] mask, byte[] xor) {
        int e = begin(m, "bitwise");
        m.be32(1, REG_1);
        m.be32(2, REG_1);
        m.be32(3, mask.length);
        int maskData = m.nested(4);
        m.bytes(1, mask);
        m.endNested(maskData);
        int xorData = m.nested(5);
        m.bytes(1, xor);
        m.endNested(xorData);
        end(m, e);
    }

    private static void match(NetlinkMessages m, FlowMatch f) {
        boolean ether = f.ethSrc() != null || f.ethDst() != null || f.ethType() != null || f.vlanVid() != null;
        boolean ip = !f.isArp() && (f.ipSrc() != null || f.ipDst() != null || f.ipProto() != null);
        if (ether || ip) {
            ByteBuffer type = ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) ARPHRD_ETHER);
            meta(m, META_IIFTYPE);
            cmp(m, 0, type.array());
        }
        if (f.ethDst() != null) {
            masked(m, BASE_LL, 0, mac(f.ethDst()), f.ethDstMask() == null ? null : mac(f.ethDstMask()));
        }
        if (f.ethSrc() != null) {
            masked(m, BASE_LL, 6, mac(f.ethSrc()), f.ethSrcMask() == null ? null : mac(f.ethSrcMask()));
        }
        Integer ethType = f.ethType() != null ? f.ethType() : ip ? Integer.valueOf(0x0800) : null;
        if (f.vlanVid() != null) {
            vlan(m, f.vlanVid());
        }
        if (ethType != null) {
            // Behind a tag, the EtherType is the tagged frame's own.
            boolean tagged = f.vlanVid() != null && f.vlanVid() != FlowMatch.VLAN_NONE;
            load(m, BASE_LL, tagged ? 16 : 12, 2);
            cmp(m, 0, be16(ethType));
        }
        if (f.isArp()) {
            if (f.ipProto() != null) {
                load(m, BASE_NETWORK, 6, 2);
                cmp(m, 0, be16(f.ipProto()));
            }
            if (f.arpSha() != null) {
                masked(m, BASE_NETWORK, 8, mac(f.arpSha()), null);
            }
            if (f.ipSrc() != null) {
                prefix(m, 14, f.ipSrc());
            }
            if (f.arpTha() != null) {
                masked(m, BASE_NETWORK, 18, mac(f.arpTha()), null);
            }
            if (f.ipDst() != null) {
                prefix(m, 24, f.ipDst());
            }
            return;
        }
        if (f.ipSrc() != null) {
            prefix(m, 12, f.ipSrc());
        }
        if (f.ipDst() != null) {
            prefix(m, 16, f.ipDst());
        }
        if (f.ipProto() != null) {
            load(m, BASE_NETWORK, 9, 1);
            cmp(m, 0, new byte[] {(byte) (int) f.ipProto()});
        }
        if (f.tpSrc() != null) {
            load(m, BASE_TRANSPORT, 0, 2);
            cmp(m, 0, be16(f.tpSrc()));
        }
        if (f.tpDst() != null) {
            load(m, BASE_TRANSPORT, 2, 2);
            cmp(m, 0, be16(f.tpDst()));
        }
    }

    /** The 802.1Q tag: with a VID, the TPID and the VID's 12 bits; with none, no TPID where it would be. */
    private static void vlan(NetlinkMessages m, int vid) {
        load(m, BASE_LL, 12, 2);
        if (vid == FlowMatch.VLAN_NONE) {
            cmp(m, 1, be16(0x8100));
            return;
        }
        cmp(m, 0, be16(0x8100));
        load(m, BASE_LL, 14, 2);
        bitwise(m, 2, be16(0x0fff));
        cmp(m, 0, be16(vid));
    }

    private static void prefix(NetlinkMessages m, int offset, Ipv4Prefix p) {
        byte[] address = p.network().toBytes();
        if (p.length() == 0) {
            return;
        }
        if (p.length() % 8 == 0) {
            int n = p.length() / 8;
            load(m, BASE_NETWORK, offset, n);
            cmp(m, 0, java.util.Arrays.copyOf(address, n));
            return;
        }
        load(m, BASE_NETWORK, offset, 4);
        bitwise(m, 4, ByteBuffer.allocate(4).putInt(p.netmaskBits()).array());
        cmp(m, 0, address);
    }

    private static void masked(NetlinkMessages m, int base, int offset, byte[] value, byte[] mask) {
        load(m, base, offset, value.length);
        if (mask != null) {
            bitwise(m, value.length, mask);
            for (int i = 0; i < value.length; i++) {
                value[i] &= mask[i];
            }
        }
        cmp(m, 0, value);
    }

    private static void rewrite(NetlinkMessages m, SetField f) {
        switch (f) {
            case SetField.EthDst d -> write(m, BASE_LL, 0, mac(d.mac()), CSUM_NONE);
            case SetField.EthSrc s -> write(m, BASE_LL, 6, mac(s.mac()), CSUM_NONE);
            case SetField.Ipv4Src s -> write(m, BASE_NETWORK, 12, s.address().toBytes(), CSUM_INET);
            case SetField.Ipv4Dst d -> write(m, BASE_NETWORK, 16, d.address().toBytes(), CSUM_INET);
        }
    }

    /**
     * Writes {@code value} into the frame. For IPv4 addresses the kernel fixes the header checksum and, as the
     * address is in their pseudo-header, the TCP or UDP checksum (a UDP checksum of 0, meaning none, stays 0).
     */
    private static void write(NetlinkMessages m, int base, int offset, byte[] value, int csum) {
        immediate(m, value);
        int e = begin(m, "payload");
        m.be32(5, REG_1);
        m.be32(2, base);
        m.be32(3, offset);
        m.be32(4, value.length);
        m.be32(6, csum);
        m.be32(7, csum == CSUM_INET ? IPV4_CHECKSUM_OFFSET : 0);
        m.be32(8, csum == CSUM_INET ? L4CSUM_PSEUDOHDR : 0);
        end(m, e);
    }

    private static void meta(NetlinkMessages m, int key) {
        int e = begin(m, "meta");
        m.be32(2, key);
        m.be32(1, REG_1);
        end(m, e);
    }

    private static void load(NetlinkMessages m, int base, int offset, int length) {
        loadInto(m, REG_1, base, offset, length);
    }

    private static void loadInto(NetlinkMessages m, int register, int base, int offset, int length) {
        int e = begin(m, "payload");
        m.be32(1, register);
        m.be32(2, base);
        m.be32(3, offset);
        m.be32(4, length);
        end(m, e);
    }

    /** Compares register 1 with {@code value}: op 0 is equal, 1 not equal. */
    private static void cmp(NetlinkMessages m, int op, byte[] value) {
        int e = begin(m, "cmp");
        m.be32(1, REG_1);
        m.be32(2, op);
        int data = m.nested(3);
        m.bytes(1, value);
        m.endNested(data);
        end(m, e);
    }

    private static void bitwise(NetlinkMessages m, int length, byte[] mask) {
        int e = begin(m, "bitwise");
        m.be32(1, REG_1);
        m.be32(2, REG_1);
        m.be32(3, length);
        int maskData = m.nested(4);
        m.bytes(1, mask);
        m.endNested(maskData);
        int xorData = m.nested(5);
        m.bytes(1, new byte[length]);
        m.endNested(xorData);
        end(m, e);
    }

    private static void objref(NetlinkMessages m, String counter) {
        int e = begin(m, "objref");
        m.be32(1, 1);
        m.string(2, counter);
        end(m, e);
    }

    private static void immediate(NetlinkMessages m, byte[] value) {
        int e = begin(m, "immediate");
        m.be32(1, REG_1);
        int data = m.nested(2);
        m.bytes(1, value);
        m.endNested(data);
        end(m, e);
    }

    private static void verdict(NetlinkMessages m, int code) {
        int e = begin(m, "immediate");
        m.be32(1, REG_VERDICT);
        int data = m.nested(2);
        int v = m.nested(2);
        m.be32(1, code);
        m.endNested(v);
        m.endNested(data);
        end(m, e);
    }

    /** Opens an expression: its list element, name and data; returns what {@link #end} closes. */
    private static int begin(NetlinkMessages m, String name) {
        int elem = m.nested(NFTA_LIST_ELEM);
        m.string(NFTA_EXPR_NAME, name);
        m.nested(NFTA_EXPR_DATA);
        return elem;
    }

    private static void end(NetlinkMessages m, int elem) {
        m.endExpression(elem);
    }

    private static byte[] mac(MacAddress mac) {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (mac.bits() >>> (40 - 8 * i));
        }
        return b;
    }

    private static byte[] be16(int value) {
        return new byte[] {(byte) (value >>> 8), (byte) value};
    }

    /** An interface index as nf_tables keeps it: in host order. */
    private static byte[] le32(int value) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
    }
}
