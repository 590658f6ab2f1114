package net.mignet.topo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LinkParamsTest {

    @Test
    void every_key_parses_and_prints_back_in_the_same_syntax() {
        LinkParams p = LinkParams.NONE.with("bw", "100").with("delay", "5ms").with("jitter", "500us")
                .with("distribution", "normal").with("loss", "1.5%").with("reorder", "25%")
                .with("duplicate", "1").with("corrupt", "0.1%").with("limit", "500");
        assertThat(p).isEqualTo(new LinkParams(100.0, Duration.ofMillis(5), Duration.ofNanos(500_000), 1.5,
                JitterDistribution.NORMAL, 25.0, null, 1.0, 0.1, 500));
        assertThat(p.toString()).isEqualTo("bw=100Mbit delay=5ms jitter=500us distribution=normal loss=1.5%"
                + " reorder=25% duplicate=1% corrupt=0.1% limit=500");
        LinkParams again = LinkParams.NONE;
        for (String word : p.toString().split(" ")) {
            String[] kv = word.split("=", 2);
            again = again.with(kv[0], kv[1]);
        }
        assertThat(again).isEqualTo(p);
    }

    @Test
    void gilbert_elliott_takes_netem_syntax_and_defaults() {
        LinkParams p = LinkParams.NONE.with("loss", "gemodel 1% 30% 90% 0.5%");
        assertThat(p.gilbertElliott()).isEqualTo(new GilbertElliott(1, 30, 90, 0.5));
        assertThat(p.lossPercent()).isNull();
        assertThat(p.hasImpairments()).isTrue();
        assertThat(GilbertElliott.parse("gemodel 2%")).isEqualTo(new GilbertElliott(2, 98, 100, 0));
        assertThat(GilbertElliott.parse("gemodel 1,10")).isEqualTo(new GilbertElliott(1, 10, 100, 0));
        // Random loss replaces the model and the other way round.
        assertThat(p.with("loss", "3%").gilbertElliott()).isNull();
        assertThat(p.with("loss", "3%").lossPercent()).isEqualTo(3.0);
        assertThatThrownBy(() -> GilbertElliott.parse("gemodel")).hasMessageContaining("write e.g. 'gemodel 1%");
        assertThatThrownBy(() -> GilbertElliott.parse("gemodel 150%")).hasMessageContaining("p must be within 0..100");
    }

    @Test
    void none_removes_a_parameter_and_only_impairments_count_as_impairments() {
        LinkParams p = LinkParams.NONE.with("delay", "5ms").with("bw", "10");
        assertThat(p.hasImpairments()).isTrue();
        LinkParams rateOnly = p.with("delay", "none");
        assertThat(rateOnly.delay()).isNull();
        assertThat(rateOnly.hasImpairments()).isFalse();
        assertThat(rateOnly.isEmpty()).isFalse();
        assertThat(LinkParams.NONE.with("delay", "0ms").hasImpairments()).isFalse();
        assertThat(LinkParams.NONE.with("limit", "10").hasImpairments()).isFalse();
        assertThat(LinkParams.NONE.with("duplicate", "1%").hasImpairments()).isTrue();
    }

    @Test
    void bad_values_say_what_to_write() {
        assertThatThrownBy(() -> LinkParams.NONE.with("dealy", "5ms"))
                .hasMessage("unknown link parameter 'dealy' (did you mean 'delay'?); known: bw, delay, jitter,"
                        + " distribution, loss, reorder, duplicate, corrupt, limit");
        assertThatThrownBy(() -> LinkParams.NONE.with("reorder", "120%")).hasMessageContaining("outside 0..100 %");
        assertThatThrownBy(() -> LinkParams.NONE.with("distribution", "pareto"))
                .hasMessageContaining("write uniform or normal");
        assertThatThrownBy(() -> LinkParams.NONE.with("limit", "0")).hasMessageContaining("from 1 to 2147483647");
        assertThatThrownBy(() -> LinkParams.NONE.with("limit", "2147483648")).hasMessageContaining("from 1 to");
        assertThatThrownBy(() -> LinkParams.NONE.with("bw", "-3")).hasMessageContaining("is not a rate");
        assertThatThrownBy(() -> new LinkParams(null, null, null, 1.0, null, null, new GilbertElliott(1, 1, 1, 1),
                null, null, null)).hasMessageContaining("keep one");
    }

    @Test
    void builder_sets_both_directions_and_overrides_one() {
        Topology t = Topology.builder("t").addHost("h1").addSwitch("s1")
                .addLink("h1", "s1", o -> o.delay("5ms").bw(100).aToB(p -> p.withLoss(2.0)))
                .build();
        LinkSpec l = t.links().getFirst();
        assertThat(l.aToB()).isEqualTo(new LinkParams(100.0, Duration.ofMillis(5), null, 2.0));
        assertThat(l.bToA()).isEqualTo(new LinkParams(100.0, Duration.ofMillis(5), null, null));
        assertThat(l.paramsFrom("s1")).isEqualTo(l.bToA());
        assertThat(l.isSymmetric()).isFalse();
        assertThat(l.describeParams()).isEqualTo("h1->s1: bw=100Mbit delay=5ms loss=2%; s1->h1: bw=100Mbit delay=5ms");
    }
}
