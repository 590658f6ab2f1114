package net.mignet.openflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import net.mignet.flow.FlowMatch;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFBadMatchCode;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.errormsg.OFBadMatchErrorMsg;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.EthType;
import org.projectfloodlight.openflow.types.IPv4Address;
import org.projectfloodlight.openflow.types.IpProtocol;
import org.projectfloodlight.openflow.types.MacAddress;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TransportPort;

/**
 * OpenFlow matches as the flow table's: 1.3 matches are read field by field from their OXMs, 1.0 matches through the
 * codec's Match view; both keep its rules (a field whose prerequisites are missing is left out, masks where the table
 * has none are refused with the switch's error).
 */
class FlowTranslatorMatchTest {
    private static final OFFactory F13 = OFFactories.getFactory(OFVersion.OF_13);
    private static final OFFactory F10 = OFFactories.getFactory(OFVersion.OF_10);
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

    @Test
    void exact_and_masked_fields_of_both_versions() {
        for (OFFactory f : new OFFactory[] {F13, F10}) {
            Match m = f.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(2))
                    .setExact(MatchField.ETH_TYPE, EthType.IPv4).setExact(MatchField.IP_PROTO, IpProtocol.UDP)
                    .setMasked(MatchField.IPV4_DST, IPv4Address.of("10.0.1.7"), IPv4Address.of("255.255.255.0"))
                    .setExact(MatchField.UDP_DST, TransportPort.of(5001)).build();
            FlowMatch fm = translator.toFlowMatch(m);
            assertThat(fm.inPort()).as(f.getVersion().toString()).isEqualTo("s1-h2");
            assertThat(fm.ethType()).isEqualTo(0x0800);
            assertThat(fm.ipProto()).isEqualTo(17);
            assertThat(fm.ipDst().length()).isEqualTo(24);
            assertThat(fm.ipDst().address().toString()).isEqualTo("10.0.1.0");
            assertThat(fm.tpDst()).isEqualTo(5001);
            assertThat(fm.tpSrc()).isNull();
        }
        FlowMatch mac = translator.toFlowMatch(F13.buildMatch().setMasked(MatchField.ETH_DST,
                MacAddress.of("01:00:00:00:00:00"), MacAddress.of("01:00:00:00:00:00")).build());
        assertThat(mac.ethDst().bits()).isEqualTo(0x0100_0000_0000L);
        assertThat(mac.ethDstMask().bits()).isEqualTo(0x0100_0000_0000L);
    }

    @Test
    void a_field_without_its_prerequisites_is_left_out() {
        // udp_dst needs ip_proto=17, which needs eth_type IPv4 or IPv6: the codec's Match leaves it out, so does this.
        FlowMatch fm = translator.toFlowMatch(F13.buildMatch().setExact(MatchField.ETH_TYPE, EthType.IPv4)
                .setExact(MatchField.UDP_DST, TransportPort.of(53)).build());
        assertThat(fm.ethType()).isEqualTo(0x0800);
        assertThat(fm.tpDst()).isNull();
    }

    @Test
    void masks_the_table_cannot_hold_are_refused_with_the_switch_error() {
        Match maskedPort = F13.buildMatch().setExact(MatchField.ETH_TYPE, EthType.IPv4)
                .setExact(MatchField.IP_PROTO, IpProtocol.TCP)
                .setMasked(MatchField.TCP_DST, TransportPort.of(80), TransportPort.of(0xff00)).build();
        assertThat(code(maskedPort)).isEqualTo(OFBadMatchCode.BAD_WILDCARDS);
        Match oddMask = F13.buildMatch().setExact(MatchField.ETH_TYPE, EthType.IPv4)
                .setMasked(MatchField.IPV4_SRC, IPv4Address.of("10.0.0.1"), IPv4Address.of("255.0.255.0")).build();
        assertThat(code(oddMask)).isEqualTo(OFBadMatchCode.BAD_NW_ADDR_MASK);
        Match noSuchPort = F13.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(9)).build();
        assertThat(code(noSuchPort)).isEqualTo(OFBadMatchCode.BAD_VALUE);
    }

    private static OFBadMatchCode code(Match m) {
        OpenFlowError e = catchThrowableOfType(OpenFlowError.class, () -> translator.toFlowMatch(m));
        assertThat(e).as("refused: " + m).isNotNull();
        return ((OFBadMatchErrorMsg) e.toMessage(F13, 1, new byte[8])).getCode();
    }
}
