package net.mignet.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.HostSysctls;
import net.mignet.topo.Ipv4Prefix;
import net.mignet.topo.Topology;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ARP flux on a multi-homed host (issue 9, item 5). {@code hm} has 10.0.0.1 on s1 and 10.0.1.1 on s2; {@code hd},
 * on s2, shares the address 10.0.0.1; {@code hc}, on s2, pings 10.0.0.1. Under the kernel's defaults hm answers
 * hc's ARP on s2 for its s1 address, and first (hd's link is 20 ms slower), so hc sends to hm, which cannot
 * answer on that subnet: the ping fails. With arp_ignore=1, mignet's default for hosts with several interfaces,
 * only hd answers and the ping succeeds. The delay makes the race that pingall showed (14/30 against 26/30)
 * come out the same way every time.
 */
class ArpFluxTest {

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("ping");
    }

    private static Topology sharedAddress(Map<String, String> multiHomedSysctls) {
        return Topology.builder("arp-flux")
                .addHost("hm", (Ipv4Prefix) null, multiHomedSysctls).addHost("hd").addHost("hc")
                .addSwitch("s1").addSwitch("s2")
                .addLink("hm", "s1", o -> o.ip1("10.0.0.1/24"))
                .addLink("hm", "s2", o -> o.ip1("10.0.1.1/24"))
                .addLink("hd", "s2", o -> o.ip1("10.0.0.1/24").delay("20ms"))
                .addLink("hc", "s2", o -> o.ip1("10.0.0.2/24"))
                .build();
    }

    @Test
    void a_multi_homed_host_answers_arp_only_for_the_interface_asked_on() {
        try (Emulation net = Emulation.start(sharedAddress(Map.of()))) {
            Host hm = net.host("hm");
            assertThat(sysctl(hm, "net/ipv4/conf/all/arp_ignore")).isEqualTo("1");
            assertThat(sysctl(hm, "net/ipv4/conf/all/arp_announce")).isEqualTo("2");
            // Single-homed hosts keep the kernel's defaults.
            assertThat(sysctl(net.host("hc"), "net/ipv4/conf/all/arp_ignore")).isEqualTo("0");
            PingResult r = net.host("hc").ping("10.0.0.1", 3);
            assertThat(r.allReceived()).as(r.output()).isTrue();
            assertThat(macOf(net.host("hc"), "10.0.0.1")).isEqualTo(macOf(net.host("hd"), "hd-eth0", true));
        }
    }

    @Test
    void the_kernel_defaults_restored_through_sysctls_reproduce_the_flux() {
        try (Emulation net = Emulation.start(sharedAddress(Map.of(HostSysctls.ARP_IGNORE, "0",
                HostSysctls.ARP_ANNOUNCE, "0")))) {
            assertThat(sysctl(net.host("hm"), "net/ipv4/conf/all/arp_ignore")).isEqualTo("0");
            PingResult r = net.host("hc").ping("10.0.0.1", 3);
            assertThat(r.received()).as(r.output()).isZero();
            assertThat(macOf(net.host("hc"), "10.0.0.1")).isEqualTo(macOf(net.host("hm"), "hm-eth1", true));
        }
    }

    private static String sysctl(Host h, String path) {
        return h.exec("cat", "/proc/sys/" + path).orThrow().stdout().strip();
    }

    /** The MAC {@code h} has learnt for {@code ip}. */
    private static String macOf(Host h, String ip) {
        String line = h.exec("ip", "neigh", "show", ip).orThrow().stdout().strip();
        int at = line.indexOf("lladdr ");
        assertThat(at).as("neighbour entry of %s on %s: '%s'", ip, h.name(), line).isPositive();
        return line.substring(at + 7).split(" ")[0];
    }

    /** The MAC of one of {@code h}'s own interfaces. */
    private static String macOf(Host h, String intf, boolean own) {
        String line = h.exec("ip", "-o", "link", "show", "dev", intf).orThrow().stdout();
        return line.substring(line.indexOf("link/ether ") + 11).split(" ")[0];
    }
}
