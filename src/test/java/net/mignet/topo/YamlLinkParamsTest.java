package net.mignet.topo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class YamlLinkParamsTest {

    @Test
    void both_directions_take_the_common_values_and_each_its_own_overrides() {
        Topology t = YamlTopologyLoader.parse("""
                hosts:
                  h1: {ip: 10.0.0.1/24}
                switches:
                  s1:
                links:
                  - ends: [h1, s1]
                    bw: 100
                    delay: 5ms
                    jitter: 1ms
                    distribution: normal
                    limit: 200
                    a_to_b: {loss: 1%, duplicate: 0.5%}
                    b_to_a:
                      delay: 7ms
                      loss: gemodel 1% 20% 100% 0%
                      corrupt: 0.1%
                      reorder: 10%
                """, "t.yaml");
        LinkSpec l = t.links().getFirst();
        LinkParams common = new LinkParams(100.0, Duration.ofMillis(5), Duration.ofMillis(1), null,
                JitterDistribution.NORMAL, null, null, null, null, 200);
        assertThat(l.aToB()).isEqualTo(common.withLoss(1.0).withDuplicate(0.5));
        assertThat(l.bToA()).isEqualTo(common.withDelay(Duration.ofMillis(7))
                .withLossModel(new GilbertElliott(1, 20, 100, 0)).withCorrupt(0.1).withReorder(10.0));
    }

    @Test
    void bad_values_are_reported_with_their_lines() {
        TopologyException e = catchThrowableOfType(TopologyException.class, () -> YamlTopologyLoader.parse("""
                hosts:
                  h1:
                switches:
                  s1:
                links:
                  - ends: [h1, s1]
                    distribution: pareto
                    limit: lots
                    a_to_b: {loss: gemodel}
                    b_to_a:
                      dealy: 5ms
                      duplicate: 101%
                    c_to_d: {}
                """, "t.yaml"));
        assertThat(e.problems()).containsExactly(
                "t.yaml:7: distribution: 'pareto' is not a jitter distribution; write uniform or normal",
                "t.yaml:8: limit: 'lots' is not a queue limit; write a number of frames from 1 to 2147483647, e.g. limit=1000",
                "t.yaml:9: loss: 'gemodel' is not a loss model; write e.g. 'gemodel 1% 30% 100% 0%' (p, r, 1-h, 1-k)",
                "t.yaml:11: unknown key 'dealy' in 'b_to_a' (did you mean 'delay'?); allowed here: bw, delay, jitter,"
                        + " distribution, loss, reorder, duplicate, corrupt, limit",
                "t.yaml:12: duplicate: '101%' is outside 0..100 %; e.g. 10%",
                "t.yaml:13: unknown key 'c_to_d' in a link (did you mean 'a_to_b'?); allowed here: ends, bw, delay, jitter, distribution,"
                        + " loss, reorder, duplicate, corrupt, limit, a_to_b, b_to_a");
    }

    @Test
    void interface_names_starting_with_underscore_are_kept_for_mignet() {
        TopologyException e = catchThrowableOfType(TopologyException.class, () -> YamlTopologyLoader.parse("""
                hosts:
                  h1:
                switches:
                  s1:
                links:
                  - ends: [h1, "s1:_l0a"]
                """, "t.yaml"));
        assertThat(e.problems()).singleElement().asString().startsWith("t.yaml:6: interface name '_l0a' starts with '_'");
    }
}
