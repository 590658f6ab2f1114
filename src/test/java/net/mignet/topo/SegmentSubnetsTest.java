package net.mignet.topo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SegmentSubnetsTest {
    private static final String TWO_SWITCHES = """
            name: seg
            hosts:
              h1: {ip: 10.0.0.1/24}
              h2: {ip: 10.0.0.2/24}
              h3: {ip: %s}
            switches:
              s1:
              s2:
            links:
              - {ends: [h1, s1]}
              - {ends: [s1, s2]}
              - {ends: [h2, s2]}
              - {ends: [h3, s2]}
            """;

    @Test
    void a_host_alone_in_its_subnet_on_a_segment_is_named() {
        Topology t = YamlTopologyLoader.parse(TWO_SWITCHES.formatted("10.1.0.3/24"), "seg.yaml");
        assertThat(SegmentSubnets.notes(t)).containsExactly("!!! h3 (10.1.0.3/24) shares no subnet with the other"
                + " hosts on s1 s2: it reaches them only through a route");
    }

    @Test
    void hosts_sharing_a_subnet_and_two_subnets_each_with_two_hosts_are_fine() {
        assertThat(SegmentSubnets.notes(YamlTopologyLoader.parse(TWO_SWITCHES.formatted("10.0.0.3/24"),
                "seg.yaml"))).isEmpty();
    }

    /** The reference scenario carries the service's subnet and the state network on one switch, for one. */
    @Test
    void no_example_gets_a_note() throws Exception {
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("examples"))) {
            for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                for (SweepRun run : YamlTopologyLoader.loadExperiment(f)) {
                    assertThat(SegmentSubnets.notes(run.lab().topology())).as(f.toString()).isEmpty();
                }
            }
        }
    }
}
