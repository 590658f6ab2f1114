package net.mignet.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowModFlags;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.IpProtocol;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.OFVlanVidMatch;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.TransportPort;
import org.projectfloodlight.openflow.types.U64;

/**
 * The common 1.3 add read from its bytes gives what the codec's way gives (match, priority, cookie, timeouts,
 * send-flow-removed, where the instructions are); everything else is left to the codec.
 */
class FlowAddBytesTest {
    private static final OFFactory F13 = OFFactories.getFactory(OFVersion.OF_13);
    private static Emulation net;
    private static FlowTranslator translator;

    @BeforeAll
    static void start() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
        translator = new FlowTranslator(new SwitchPorts(net.switchNamed("s1")));
    }

    @AfterAll
    static void stop() {
        if (net != null) {
            net.close();
        }
    }

    private static OFFlowAdd.Builder add(Match match) {
        return F13.buildFlowAdd().setXid(7).setPriority(33).setCookie(U64.of(0x8000_0000_0000_0001L))
                .setIdleTimeout(60).setHardTimeout(65535).setMatch(match)
                .setInstructions(List.of(F13.instructions().applyActions(List.of(
                        F13.actions().buildOutput().setPort(OFPort.of(2)).setMaxLen(0xffe5).build()))));
    }

    private static byte[] bytes(OFMessage m) {
        ByteBuf buf = Unpooled.buffer();
        m.writeTo(buf);
        byte[] b = new byte[buf.readableBytes()];
        buf.readBytes(b);
        return b;
    }

    private static void assertSameAsCodec(OFFlowAdd add) throws Exception {
        byte[] raw = bytes(add);
        FlowAddBytes read = FlowAddBytes.read(raw, translator.ports());
        assertThat(read).as(add.toString()).isNotNull();
        OFFlowMod parsed = (OFFlowMod) F13.getReader().readFrom(Unpooled.wrappedBuffer(raw));
        assertThat(read.match()).isEqualTo(translator.toFlowMatch(parsed.getMatch()));
        assertThat(read.priority()).isEqualTo(parsed.getPriority());
        assertThat(read.cookie()).isEqualTo(parsed.getCookie().getValue());
        assertThat(read.idleTimeout()).isEqualTo(parsed.getIdleTimeout());
        assertThat(read.hardTimeout()).isEqualTo(parsed.getHardTimeout());
        assertThat(read.sendFlowRemoved()).isEqualTo(parsed.getFlags().contains(OFFlowModFlags.SEND_FLOW_REM));
        ByteBuf instructions = Unpooled.buffer();
        parsed.getInstructions().forEach(i -> i.writeTo(instructions));
        assertThat(read.instructions(raw)).isEqualTo(java.util.Arrays.copyOf(instructions.array(),
                instructions.readableBytes()));
        assertThat(read.sameInstructions(raw, read.instructions(raw))).isTrue();
        assertThat(read.sameInstructions(raw, new byte[] {0, 4, 0, 8, 0, 0, 0, 0})).isFalse();
    }

    @Test
    void common_adds_read_as_the_codec_reads_them() throws Exception {
        List<Match> matches = new ArrayList<>();
        matches.add(F13.buildMatch().build());
        matches.add(F13.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(1)).build());
        matches.add(F13.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(1)).setExact(MatchField.ETH_TYPE,
                EthType.IPv4).setExact(MatchField.IP_PROTO, IpProtocol.UDP)
                .setExact(MatchField.UDP_DST, TransportPort.of(65535)).build());
        matches.add(F13.buildMatch().setExact(MatchField.ETH_TYPE, EthType.IPv4)
                .setExact(MatchField.IP_PROTO, IpProtocol.TCP).setExact(MatchField.TCP_SRC, TransportPort.of(80))
                .setExact(MatchField.TCP_DST, TransportPort.of(1))
                .setExact(MatchField.IPV4_SRC, IPv4Address.of("10.0.0.1"))
                .setExact(MatchField.IPV4_DST, IPv4Address.of("255.255.255.254")).build());
        matches.add(F13.buildMatch().setExact(MatchField.ETH_SRC, MacAddress.of("fe:00:00:00:00:01"))
                .setExact(MatchField.ETH_DST, MacAddress.of("ff:ff:ff:ff:ff:ff"))
                .setExact(MatchField.ETH_TYPE, EthType.of(0x86dd)).setExact(MatchField.IP_PROTO, IpProtocol.of(
                        (short) 200)).build());
        for (Match m : matches) {
            assertSameAsCodec(add(m).build());
            assertSameAsCodec(add(m).setFlags(Set.of(OFFlowModFlags.SEND_FLOW_REM)).setPriority(0).setCookie(U64.ZERO)
                    .setIdleTimeout(0).setHardTimeout(0).setInstructions(List.of()).build());
        }
    }

    @Test
    void everything_else_is_left_to_the_codec() {
        Match udp = F13.buildMatch().setExact(MatchField.ETH_TYPE, EthType.IPv4)
                .setExact(MatchField.IP_PROTO, IpProtocol.UDP).setExact(MatchField.UDP_DST, TransportPort.of(53))
                .build();
        List<OFMessage> others = List.of(
                // Masks, fields the flow table refuses or this reader does not read, missing prerequisites.
                add(F13.buildMatch().setMasked(MatchField.IPV4_DST, IPv4Address.of("10.0.0.0"),
                        IPv4Address.of("255.0.0.0")).setExact(MatchField.ETH_TYPE, EthType.IPv4).build()).build(),
                add(F13.buildMatch().setExact(MatchField.VLAN_VID, OFVlanVidMatch.ofVlan(5)).build()).build(),
                add(F13.buildMatch().setExact(MatchField.ETH_TYPE, EthType.ARP)
                        .setExact(MatchField.ARP_SPA, IPv4Address.of("10.0.0.1")).build()).build(),
                add(F13.buildMatch().setExact(MatchField.ETH_TYPE, EthType.IPv4)
                        .setExact(MatchField.UDP_DST, TransportPort.of(53)).build()).build(),
                add(F13.buildMatch().setExact(MatchField.ETH_TYPE, EthType.of(0x86dd))
                        .setExact(MatchField.IPV4_DST, IPv4Address.of("10.0.0.1")).build()).build(),
                add(F13.buildMatch().setExact(MatchField.IP_PROTO, IpProtocol.TCP).build()).build(),
                // A port the switch does not have, other tables, buffers and flags.
                add(F13.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(9)).build()).build(),
                add(udp).setTableId(TableId.of(1)).build(),
                add(udp).setBufferId(OFBufferId.of(5)).build(),
                add(udp).setFlags(Set.of(OFFlowModFlags.CHECK_OVERLAP)).build(),
                // Other commands and versions.
                F13.buildFlowModify().setMatch(udp).build(),
                F13.buildFlowDelete().setMatch(udp).build(),
                OFFactories.getFactory(OFVersion.OF_10).buildFlowAdd().setMatch(
                        OFFactories.getFactory(OFVersion.OF_10).buildMatch().build()).build());
        for (OFMessage m : others) {
            assertThat(FlowAddBytes.read(bytes(m), translator.ports())).as(m.toString()).isNull();
        }
        byte[] truncated = bytes(add(udp).build());
        truncated[51] = (byte) 200;
        assertThat(FlowAddBytes.read(truncated, translator.ports())).isNull();
    }
}
