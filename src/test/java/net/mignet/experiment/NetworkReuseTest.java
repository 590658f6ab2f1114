package net.mignet.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import net.mignet.topo.Topology;
import net.mignet.topo.YamlTopologyLoader;
import org.junit.jupiter.api.Test;

/** When two runs of a sweep may share one network. */
class NetworkReuseTest {
    private static Topology topology(String delay, String image) {
        return YamlTopologyLoader.parse("""
                name: reuse
                hosts:
                  h1: {ip: 10.0.0.1/24%s}
                  h2: {ip: 10.0.0.2/24}
                switches:
                  s1:
                links:
                  - {ends: [h1, s1], delay: %s}
                  - {ends: [h2, s1]}
                """.formatted(image == null ? "" : ", image: " + image, delay), "reuse.yaml");
    }

    @Test
    void runs_that_differ_in_link_parameters_share_the_network() {
        assertThat(NetworkReuse.possible(topology("1ms", null), topology("5ms", null))).isTrue();
    }

    @Test
    void runs_with_an_image_host_never_share_it_since_its_files_would_carry_over() {
        assertThat(NetworkReuse.possible(topology("1ms", "debian:13"), topology("5ms", "debian:13"))).isFalse();
    }
}
