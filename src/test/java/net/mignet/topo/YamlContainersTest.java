package net.mignet.topo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The topology keys image, packages, cpu, memory and pids on hosts, and image on apps. */
class YamlContainersTest {
    @Test
    void hosts_with_images_packages_and_limits() {
        Lab lab = YamlTopologyLoader.parseLab("""
                hosts:
                  h1: {ip: 10.0.0.1/24, image: debian:13, packages: [tcpdump, iperf3, iperf3]}
                  h2: {ip: 10.0.0.2/24, cpu: 0.5, memory: 256m, pids: 100}
                  h3:
                    image: oci:/srv/images/alpine:3.20
                    cpu: 50%
                  h4: {ip: 10.0.0.4/24}
                switches:
                  s1:
                links:
                  - ends: [h1, s1]
                  - ends: [h2, s1]
                  - ends: [h3, s1]
                  - ends: [h4, s1]
                apps:
                  web: {host: h1, command: python3 -m http.server, image: debian:12}
                  tools: {host: h1, command: iperf3 -s, image: debian:13, packages: [iperf3]}
                """, "c.yaml");
        Topology t = lab.topology();
        HostContainer h1 = t.hosts().get(0).container();
        assertThat(h1.image()).isEqualTo(new HostImage("debian:13", List.of("iperf3", "tcpdump")));
        assertThat(h1.image().isDebian()).isTrue();
        assertThat(h1.limits()).isEqualTo(ResourceLimits.NONE);
        HostContainer h2 = t.hosts().get(1).container();
        assertThat(h2.image()).isNull();
        assertThat(h2.limits()).isEqualTo(new ResourceLimits(0.5, 256L << 20, 100));
        assertThat(h2.limits().toString()).isEqualTo("cpu=0.5 memory=256m pids=100");
        assertThat(t.hosts().get(2).container().image().reference()).isEqualTo("oci:/srv/images/alpine:3.20");
        assertThat(t.hosts().get(2).container().limits().cpu()).isEqualTo(0.5);
        assertThat(t.hosts().get(3).container()).isEqualTo(HostContainer.NONE);
        assertThat(lab.apps().getFirst().image()).isEqualTo(HostImage.of("debian:12"));
        assertThat(lab.apps().get(1).image()).isEqualTo(new HostImage("debian:13", List.of("iperf3")));
    }

    @Test
    void bad_values_are_reported_with_their_line() {
        assertThatThrownBy(() -> YamlTopologyLoader.parse("""
                hosts:
                  h1: {memory: lots}
                  h2: {packages: [iperf3]}
                  h3: {image: "oci:/x", packages: [iperf3]}
                  h4: {cpu: 0}
                apps:
                  a1: {host: h1, command: sleep 1, packages: [iperf3]}
                """, "bad.yaml"))
                .hasMessageContaining("bad.yaml:2").hasMessageContaining("memory 'lots'")
                .hasMessageContaining("bad.yaml:3").hasMessageContaining("need an image")
                .hasMessageContaining("bad.yaml:4").hasMessageContaining("can only be added to a debian: image")
                .hasMessageContaining("bad.yaml:5").hasMessageContaining("cpu '0'")
                .hasMessageContaining("bad.yaml:7: packages: need an image");
    }

    @Test
    void limits_parse_like_the_limit_verb() {
        assertThat(ResourceLimits.parse(List.of("cpu=2", "memory=1g"))).isEqualTo(new ResourceLimits(2, 1L << 30, 0));
        assertThat(ResourceLimits.parseBytes("65536k")).isEqualTo(64L << 20);
        assertThat(ResourceLimits.parseBytes("256MiB")).isEqualTo(256L << 20);
        assertThat(new ResourceLimits(0.5, 0, 0).with(new ResourceLimits(0, 64L << 20, 0)))
                .isEqualTo(new ResourceLimits(0.5, 64L << 20, 0));
        assertThatThrownBy(() -> ResourceLimits.parse(List.of("disk=1g"))).hasMessageContaining("cpu, memory, pids");
        assertThatThrownBy(() -> ResourceLimits.parse(List.of("memory=1k"))).hasMessageContaining("below 4m");
    }
}
