package net.mignet.topo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the kernel would refuse after namespaces exist (issue 9, item 3, each as reproduced on 2026-11-30) is
 * refused while loading, with file:line and what to write instead.
 */
class KernelRulesTest {

    private static TopologyException refused(String yaml) {
        try {
            YamlTopologyLoader.parse(yaml, "t.yaml");
        } catch (TopologyException e) {
            return e;
        }
        throw new AssertionError("accepted:\n" + yaml);
    }

    /** Two hosts on s1; {@code h1End} and the link options are substituted. */
    private static String twoHosts(String h1End, String linkExtra) {
        return """
                hosts:
                  h1: {ip: 10.0.0.1/24}
                  h2: {ip: 10.0.0.2/24}
                switches:
                  s1:
                links:
                  - ends: [%s, s1]
                %s
                  - ends: [h2, s1]
                """.formatted(h1End, linkExtra);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e308", "0.0000001", "0", "-5", "1e400"})
    void rates_outside_tbf_range_are_refused_with_the_line(String bw) {
        TopologyException e = refused(twoHosts("h1", "    bw: " + bw));
        assertThat(e.getMessage()).startsWith("t.yaml:8: bw:");
    }

    @Test
    void rates_at_the_bounds_are_accepted() {
        YamlTopologyLoader.parse(twoHosts("h1", "    bw: 0.001"), "t.yaml");
        YamlTopologyLoader.parse(twoHosts("h1", "    bw: 100000"), "t.yaml");
    }

    @ParameterizedTest
    @ValueSource(strings = {"99999999999999999999ms", "3601s", "1e300s"})
    void delays_over_an_hour_are_refused_instead_of_clamped(String delay) {
        assertThat(refused(twoHosts("h1", "    delay: " + delay)).getMessage()).startsWith("t.yaml:8: delay:")
                .contains("1 hour");
        assertThat(refused(twoHosts("h1", "    jitter: " + delay)).getMessage()).startsWith("t.yaml:8: jitter:");
    }

    @ParameterizedTest
    @ValueSource(strings = {"01:00:00:00:00:02", "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00", "33:33:00:00:00:01"})
    void interface_macs_must_be_unicast_and_not_zero(String mac) {
        TopologyException e = refused(twoHosts("{node: h1, mac: \"" + mac + "\"}", ""));
        assertThat(e.getMessage()).startsWith("t.yaml:7: mac:").contains("MAC " + mac);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0/0", "127.0.0.1/8", "224.0.0.1/24", "255.255.255.255/32", "10.0.0.0/24",
            "10.0.0.255/24", "10.0.0.1/0", "240.0.0.1/8"})
    void host_addresses_must_reach_one_host(String ip) {
        TopologyException onEnd = refused(twoHosts("{node: h1, ip: " + ip + "}", ""));
        assertThat(onEnd.getMessage()).contains("t.yaml:7: ip: address " + ip);
        TopologyException onHost = refused("hosts:\n  h1: {ip: " + ip + "}\n");
        assertThat(onHost.getMessage()).startsWith("t.yaml:2: ip: address " + ip);
    }

    @Test
    void a_host_ip_that_its_first_interface_overrides_is_an_error() {
        TopologyException e = refused(twoHosts("{node: h1, ip: 10.0.0.5/24}", ""));
        assertThat(e.getMessage()).startsWith("t.yaml:7: host 'h1' has ip: 10.0.0.1/24")
                .contains("10.0.0.5/24").contains("keep only one");
        // The same address twice is no conflict.
        YamlTopologyLoader.parse(twoHosts("{node: h1, ip: 10.0.0.1/24}", ""), "t.yaml");
        // And the Java builder says so too.
        assertThatThrownBy(() -> Topology.builder("b").addHost("h1", "10.0.0.1/24").addSwitch("s1")
                .addLink("h1", "s1", o -> o.ip1("10.0.0.5/24")).build())
                .isInstanceOf(TopologyException.class).hasMessageContaining("would be ignored");
    }

    @ParameterizedTest
    @ValueSource(strings = {"all", "default", "lo"})
    void interface_and_port_names_the_kernel_keeps_are_refused(String name) {
        assertThat(refused(twoHosts("h1:" + name, "")).getMessage()).startsWith("t.yaml:7: interface name '" + name
                + "' is reserved by the kernel");
        assertThat(refused("""
                hosts:
                  h1:
                switches:
                  s1:
                links:
                  - ends: [h1, "s1:%s"]
                """.formatted(name)).getMessage()).startsWith("t.yaml:6: interface name '" + name + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"help", "links", "exit", "nodes", "pingall", "net", "migrate", "quit"})
    void node_names_that_are_shell_commands_are_refused(String name) {
        assertThat(refused("hosts:\n  " + name + ":\n").getMessage()).startsWith("t.yaml:2: node name '" + name
                + "' is a command of the mignet shell");
        assertThat(refused("switches:\n  " + name + ":\n").getMessage()).startsWith("t.yaml:2:");
    }

    @Test
    void switch_names_must_fit_a_bridge_device() {
        assertThat(refused("switches:\n  sw-with-a-long-name:\n").getMessage()).startsWith("t.yaml:2: switch name")
                .contains("15");
        assertThat(refused("switches:\n  all:\n").getMessage()).startsWith("t.yaml:2: switch name 'all'");
    }

    @Test
    void a_port_named_like_a_bridge_is_refused() {
        TopologyException e = refused("""
                hosts:
                  h1:
                switches:
                  s1:
                  s2:
                links:
                  - ends: [h1, "s2:s1"]
                """);
        assertThat(e.getMessage()).startsWith("t.yaml:7: port s2:s1 has the name of switch 's1'");
    }

    @Test
    void one_port_name_on_two_switches_is_refused() {
        TopologyException e = refused("""
                hosts:
                  h1:
                  h2:
                switches:
                  s1:
                  s2:
                links:
                  - ends: [h1, "s1:p1"]
                  - ends: [h2, "s2:p1"]
                """);
        assertThat(e.getMessage()).startsWith("t.yaml:9: port s2:p1 has the name of port s1:p1");
    }

    @Test
    void a_bridge_takes_at_most_1023_ports() {
        assertThatThrownBy(() -> TopologyGenerators.fromSpec("single,1024"))
                .isInstanceOf(TopologyException.class)
                .hasMessageContaining("switch 's1' has 1024 ports; a Linux bridge takes at most 1023");
        assertThat(TopologyGenerators.fromSpec("single,1023").hosts()).hasSize(1023);
        StringBuilder yaml = new StringBuilder("hosts:\n");
        for (int i = 1; i <= 1024; i++) {
            yaml.append("  h").append(i).append(":\n");
        }
        yaml.append("switches:\n  s1:\nlinks:\n");
        for (int i = 1; i <= 1024; i++) {
            yaml.append("  - ends: [h").append(i).append(", s1]\n");
        }
        assertThat(refused(yaml.toString()).getMessage()).startsWith("t.yaml:1027: switch 's1' has 1024 ports");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "addr", "dev", "name", "type", "netns", "master", "mtu", "group", "index", "up",
            "alias", "peer", "link", "down", "help", "address"})
    void ip_keywords_are_plain_names(String name) {
        Topology t = YamlTopologyLoader.parse(twoHosts("h1:" + name, "").replace("[h2, s1]", "[h2, \"s1:" + name
                + "-\"]").replace("[h1:" + name + ", s1]", "[\"h1:" + name + "\", \"s1:" + name + "\"]"), "t.yaml");
        assertThat(t.portsOf("s1")).contains(name);
    }

    @Test
    void sysctls_are_validated_with_the_line() {
        TopologyException e = refused("""
                hosts:
                  h1:
                    sysctls:
                      kernel.panic: 1
                      net.ipv4.ip_forward: "1\\n2"
                      net.ipv4.conf.all.arp_ignore: [1]
                """);
        assertThat(e.problems()).hasSize(3);
        assertThat(e.problems().get(0)).startsWith("t.yaml:4: host 'h1': sysctl 'kernel.panic' must be a dotted"
                + " name under net.");
        assertThat(e.problems().get(1)).startsWith("t.yaml:5: host 'h1': sysctl net.ipv4.ip_forward needs a value");
        assertThat(e.problems().get(2)).startsWith("t.yaml:6: 'net.ipv4.conf.all.arp_ignore' must be a single value");
    }

    @Test
    void multi_homed_hosts_get_arp_ignore_and_announce_unless_they_say_otherwise() {
        Topology t = YamlTopologyLoader.parse("""
                hosts:
                  h1:
                    sysctls: {net.ipv4.conf.all.arp_announce: 0, net.ipv4.tcp_syn_retries: 2}
                  h2:
                  h3:
                switches:
                  s1:
                links:
                  - ends: [h1, s1]
                  - ends: [h1, s1]
                  - ends: [h2, s1]
                  - ends: [h3, h2]
                """, "t.yaml");
        assertThat(t.sysctlsOf("h1")).containsExactlyInAnyOrderEntriesOf(Map.of(HostSysctls.ARP_IGNORE, "1",
                HostSysctls.ARP_ANNOUNCE, "0", "net.ipv4.tcp_syn_retries", "2"));
        assertThat(t.sysctlsOf("h2")).containsExactlyInAnyOrderEntriesOf(Map.of(HostSysctls.ARP_IGNORE, "1",
                HostSysctls.ARP_ANNOUNCE, "2"));
        assertThat(t.sysctlsOf("h3")).isEmpty();
        Topology java = Topology.builder("j").addHost("h1").addHost("h2").addSwitch("s1")
                .sysctl("h1", HostSysctls.ARP_IGNORE, "0").addLink("h1", "s1").addLink("h1", "s1")
                .addLink("h2", "s1").build();
        assertThat(java.sysctlsOf("h1")).containsEntry(HostSysctls.ARP_IGNORE, "0")
                .containsEntry(HostSysctls.ARP_ANNOUNCE, "2");
    }

    /** The shell's {@code link h1 s1 set delay=...} and the Java API go through the same parameters. */
    @Test
    void the_shell_and_java_forms_are_bounded_too() {
        assertThatThrownBy(() -> LinkParams.NONE.with("delay", "99999999999999999999ms"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("longer than 1 hour");
        assertThatThrownBy(() -> LinkParams.NONE.with("bw", "1e308"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tc tbf's range");
        assertThatThrownBy(() -> LinkParams.NONE.withBandwidth(0.0000001))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0.001..100000");
        assertThatThrownBy(() -> LinkParams.NONE.withDelay(java.time.Duration.ofDays(106)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..1h");
        assertThatThrownBy(() -> Topology.builder("m").addHost("h1").addSwitch("s1")
                .addLink("h1", "s1", o -> o.mac1("ff:ff:ff:ff:ff:ff")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("broadcast");
    }
}
