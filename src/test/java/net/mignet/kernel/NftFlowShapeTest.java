package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import net.mignet.flow.FlowRule;
import net.mignet.flow.FlowRuleParser;
import org.junit.jupiter.api.Test;

class NftFlowShapeTest {
    private static NftFlowShape shape(String text) {
        return NftFlowShape.of(FlowRuleParser.parse(text));
    }

    @Test
    void flows_with_exact_keys_and_no_controller_have_a_shape() {
        assertThat(shape("priority=10,in_port=s1-h1,udp,tp_dst=80 actions=output:s1-h2")).isNotNull();
        assertThat(shape("dl_dst=00:00:00:00:00:02 actions=normal")).isNotNull();
        assertThat(shape("ip,nw_dst=10.0.0.2 actions=drop")).isNotNull();
        // Prefixes, masks, VLAN, ARP, the controller and no key at all stay rules.
        assertThat(shape("ip,nw_dst=10.0.0.0/24 actions=drop")).isNull();
        assertThat(shape("dl_src=00:00:00:00:00:00/01:00:00:00:00:00 actions=flood")).isNull();
        assertThat(shape("in_port=s1-h2,dl_vlan=5 actions=output:s1-h1")).isNull();
        assertThat(shape("arp,arp_spa=10.0.0.1 actions=normal")).isNull();
        assertThat(shape("udp,tp_dst=53 actions=controller")).isNull();
        assertThat(shape("ip actions=drop")).isNull();
    }

    @Test
    void flows_differing_only_in_key_values_share_a_shape_and_differ_in_keys() {
        FlowRule a = FlowRuleParser.parse("priority=10,udp,nw_dst=10.0.0.2,tp_dst=80 actions=output:s1-h2");
        FlowRule b = FlowRuleParser.parse("priority=10,udp,nw_dst=10.0.0.3,tp_dst=81 actions=output:s1-h2");
        NftFlowShape s = NftFlowShape.of(a);
        assertThat(NftFlowShape.of(b)).isEqualTo(s);
        assertThat(NftFlowShape.of(FlowRuleParser.parse("priority=11,udp,nw_dst=10.0.0.2,tp_dst=80"
                + " actions=output:s1-h2"))).isNotEqualTo(s);
        // A concatenation: each field in whole 32-bit registers, as nft lays it out.
        assertThat(HexFormat.of().formatHex(s.key(a.match()))).isEqualTo("0a00000200500000");
        assertThat(s.keyLength()).isEqualTo(8);
        assertThat(s.keyType()).isEqualTo((7 << 6) | 13);
        assertThat(s.keyText(b.match())).isEqualTo("10.0.0.3 . 81");
        NftFlowShape single = shape("udp,tp_dst=80 actions=drop");
        assertThat(single.keyLength()).isEqualTo(2);
    }

    @Test
    void shape_tables_are_told_apart_from_slices_and_the_tail() {
        String table = shape("udp,tp_dst=80 actions=drop").table("mignet_s_k");
        assertThat(NftFlowShape.isTable("mignet_s_k", table)).isTrue();
        assertThat(NftFlowShape.isTable("mignet_s_k", "mignet_s_k__tail")).isFalse();
        assertThat(NftFlowShape.isTable("mignet_s_k", "mignet_s_k__10_3")).isFalse();
        assertThat(NftFlowShape.isTable("mignet_s1", table)).isFalse();
        assertThat(NftShard.parse("mignet_s_k", table)).isNull();
    }
}
