package net.mignet.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.mignet.topo.Ipv4Prefix;
import net.mignet.topo.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FlowRuleParserTest {

    @Test
    void parses_the_scenario_rule() {
        FlowRule r = FlowRuleParser.parse("in_port=s1-h1 actions=output:s1-h2");
        assertThat(r.priority()).isEqualTo(FlowRule.DEFAULT_PRIORITY);
        assertThat(r.match()).isEqualTo(FlowMatch.ANY.withInPort("s1-h1"));
        assertThat(r.action()).isEqualTo(new FlowAction.Output(List.of("s1-h2")));
    }

    @Test
    void parses_every_field_and_shorthand() {
        FlowRule r = FlowRuleParser.parse("priority=100,in_port=p1,dl_src=00:00:00:00:00:01,"
                + "dl_dst=00:00:00:00:00:12 udp nw_src=10.0.0.0/24,nw_dst=10.0.0.12,tp_src=5000,tp_dst=0x22b8"
                + " actions=output:p2,output:p3");
        FlowMatch m = r.match();
        assertThat(r.priority()).isEqualTo(100);
        assertThat(m.inPort()).isEqualTo("p1");
        assertThat(m.ethSrc()).isEqualTo(MacAddress.parse("00:00:00:00:00:01"));
        assertThat(m.ethDst()).isEqualTo(MacAddress.parse("00:00:00:00:00:12"));
        assertThat(m.ethType()).isEqualTo(0x0800);
        assertThat(m.ipProto()).isEqualTo(17);
        assertThat(m.ipSrc()).isEqualTo(Ipv4Prefix.parse("10.0.0.0/24"));
        assertThat(m.ipDst()).isEqualTo(Ipv4Prefix.parse("10.0.0.12/32"));
        assertThat(m.tpSrc()).isEqualTo(5000);
        assertThat(m.tpDst()).isEqualTo(8888);
        assertThat(r.action()).isEqualTo(new FlowAction.Output(List.of("p2", "p3")));
    }

    @Test
    void parses_the_other_actions() {
        assertThat(FlowRuleParser.parse("arp actions=flood").action()).isEqualTo(new FlowAction.Flood());
        assertThat(FlowRuleParser.parse("icmp actions=drop").action()).isEqualTo(new FlowAction.Drop());
        assertThat(FlowRuleParser.parse("actions=normal").action()).isEqualTo(new FlowAction.Normal());
        assertThat(FlowRuleParser.parse("arp actions=flood").match().ethType()).isEqualTo(0x0806);
    }

    @Test
    void a_match_alone_keeps_its_priority_or_null() {
        assertThat(FlowRuleParser.parseMatch("in_port=s1-h1").priority()).isNull();
        assertThat(FlowRuleParser.parseMatch("priority=7,tcp").priority()).isEqualTo(7);
        assertThat(FlowRuleParser.parseMatch("").match()).isEqualTo(FlowMatch.ANY);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "in_port=s1-h1",                                  // no actions
        "in_port=s1-h1 actions=",                          // empty actions
        "in_port=s1-h1 actions=output:",                   // output without port
        "in_port=s1-h1 actions=jump",                      // unknown action
        "in_port=s1-h1 actions=drop,output:s1-h2",         // contradictory actions
        "in_pot=s1-h1 actions=drop",                       // unknown field
        "tcp,udp actions=drop",                            // two protocols
        "ip,arp_tpa=10.0.0.1 actions=drop",                // ARP field on IP
        "arp,udp actions=drop",                            // ARP is not IP
        "arp,nw_proto=6,tp_dst=80 actions=drop",           // no ports in ARP
        "nw_dst=10.0.0.1,arp_tpa=10.0.0.2 actions=drop",   // one field under two names
        "arp_sha=ff:ff actions=drop",                      // malformed ARP MAC
        "tp_dst=80 actions=drop",                          // port without protocol
        "icmp,tp_dst=80 actions=drop",                     // port on ICMP
        "priority=70000 actions=drop",                     // out of range
        "dl_src=00:00:00:00:00 actions=drop",              // malformed MAC
        "nw_src=10.0.0.256 actions=drop",                  // malformed address
        "in_port=a,in_port=b actions=drop",                // repeated field
    })
    void bad_rules_are_refused_with_a_reason(String text) {
        assertThatThrownBy(() -> FlowRuleParser.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("null");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "in_port=s1-h1 actions=output:s1-h2",
        "priority=100,in_port=s1-h1,udp,tp_dst=8888 actions=output:s1-h2",
        "priority=5,arp actions=flood",
        "ip,nw_src=10.0.0.0/24 actions=normal",
        "dl_type=0x86dd actions=drop",
        "ip,nw_proto=47 actions=drop",
        "tcp,nw_dst=10.0.0.12,tp_src=1,tp_dst=2 actions=output:a,output:b",
    })
    void formatting_gives_back_what_parses_to_the_same_rule(String text) {
        FlowRule rule = FlowRuleParser.parse(text);
        String formatted = FlowRuleFormatter.format(rule);
        assertThat(formatted).isEqualTo(text);
        assertThat(FlowRuleParser.parse(formatted)).isEqualTo(rule);
    }

    /** ovs-ofctl reads nw_src/nw_dst/nw_proto of an ARP match as the ARP sender/target address and opcode. */
    @Test
    void arp_matches_on_its_addresses_like_ovs_ofctl() {
        FlowRule byNw = FlowRuleParser.parse("arp,nw_dst=10.1.0.100 actions=drop");
        FlowRule byArp = FlowRuleParser.parse("arp_tpa=10.1.0.100 actions=drop");
        assertThat(byNw).isEqualTo(byArp);
        assertThat(byNw.match().isArp()).isTrue();
        assertThat(FlowRuleFormatter.format(byNw)).isEqualTo("arp,arp_tpa=10.1.0.100 actions=drop");
        FlowRule all = FlowRuleParser.parse("arp,nw_src=10.0.0.0/24,arp_op=2,arp_sha=02:00:00:00:00:01,"
                + "arp_tha=02:00:00:00:00:02 actions=normal");
        assertThat(all.match().ipSrc()).hasToString("10.0.0.0/24");
        assertThat(all.match().ipProto()).isEqualTo(2);
        assertThat(all.match().arpSha()).hasToString("02:00:00:00:00:01");
        assertThat(all.match().arpTha()).hasToString("02:00:00:00:00:02");
        String text = FlowRuleFormatter.format(all);
        assertThat(text).isEqualTo("arp,arp_spa=10.0.0.0/24,arp_op=2,arp_sha=02:00:00:00:00:01,"
                + "arp_tha=02:00:00:00:00:02 actions=normal");
        assertThat(FlowRuleParser.parse(text)).isEqualTo(all);
        // Without arp the same fields stay IPv4's.
        assertThat(FlowRuleParser.parse("nw_dst=10.1.0.100 actions=drop").match().isArp()).isFalse();
    }

    @Test
    void rewrites_come_before_the_action_in_both_ovs_ofctl_forms() {
        FlowRule mod = FlowRuleParser.parse("udp,nw_dst=10.0.0.100 actions=mod_nw_dst:10.0.0.3,"
                + "mod_dl_dst:00:00:00:00:00:03,output:s1-h3");
        FlowRule set = FlowRuleParser.parse("udp,nw_dst=10.0.0.100 actions=set_field:10.0.0.3->ip_dst,"
                + "set_field:00:00:00:00:00:03->eth_dst,output:s1-h3");
        assertThat(mod).isEqualTo(set);
        assertThat(mod.rewrites()).containsExactly(
                new SetField.Ipv4Dst(net.mignet.topo.Ipv4Address.parse("10.0.0.3")),
                new SetField.EthDst(MacAddress.parse("00:00:00:00:00:03")));
        String text = FlowRuleFormatter.format(mod);
        assertThat(text).isEqualTo("udp,nw_dst=10.0.0.100 actions=mod_nw_dst:10.0.0.3,mod_dl_dst:00:00:00:00:00:03,"
                + "output:s1-h3");
        assertThat(FlowRuleParser.parse(text)).isEqualTo(mod);
        assertThat(FlowRuleParser.parse("actions=mod_dl_src:02:00:00:00:00:09,normal").rewrites()).hasSize(1);
    }

    @Test
    void rewrites_that_cannot_work_are_refused_with_what_to_write() {
        assertThatThrownBy(() -> FlowRuleParser.parse("in_port=s1-h1 actions=mod_nw_dst:10.0.0.3,output:s1-h3"))
                .hasMessageContaining("add 'ip'");
        assertThatThrownBy(() -> FlowRuleParser.parse("ip actions=output:s1-h3,mod_nw_dst:10.0.0.3"))
                .hasMessageContaining("write rewrites first");
        assertThatThrownBy(() -> FlowRuleParser.parse("ip actions=set_field:5->tcp_dst,output:s1-h3"))
                .hasMessageContaining("eth_src, eth_dst, ip_src and ip_dst");
        assertThatThrownBy(() -> FlowRuleParser.parse("ip actions=mod_nw_dst:10.0.0.3"))
                .hasMessageContaining("need an action after them");
    }

    @Test
    void masked_macs_and_vlan_ids_round_trip() {
        FlowRule r = FlowRuleParser.parse("dl_src=02:00:00:00:00:ff/ff:ff:ff:00:00:00,dl_vlan=7 actions=drop");
        assertThat(r.match().ethSrc()).isEqualTo(MacAddress.parse("02:00:00:00:00:00"));
        assertThat(r.match().ethSrcMask()).isEqualTo(MacAddress.parse("ff:ff:ff:00:00:00"));
        assertThat(r.match().vlanVid()).isEqualTo(7);
        assertThat(FlowRuleParser.parse(FlowRuleFormatter.format(r))).isEqualTo(r);
        // A full mask is the same match as none.
        assertThat(FlowRuleParser.parse("dl_dst=02:00:00:00:00:01/ff:ff:ff:ff:ff:ff actions=drop"))
                .isEqualTo(FlowRuleParser.parse("dl_dst=02:00:00:00:00:01 actions=drop"));
        assertThat(FlowRuleParser.parse("dl_vlan=0xffff actions=drop").match().vlanVid()).isEqualTo(FlowMatch.VLAN_NONE);
        assertThatThrownBy(() -> FlowRuleParser.parse("dl_vlan=5000 actions=drop")).hasMessageContaining("0..4095");
    }
}
