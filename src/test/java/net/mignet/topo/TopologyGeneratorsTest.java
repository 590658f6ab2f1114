package net.mignet.topo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class TopologyGeneratorsTest {

    @Test
    void singlePutsAllHostsOnOneSwitch() {
        Topology t = TopologyGenerators.fromSpec("single,3");

        assertThat(t.name()).isEqualTo("single-3");
        assertThat(t.hosts()).extracting(HostSpec::name).containsExactly("h1", "h2", "h3");
        assertThat(t.switches()).extracting(SwitchSpec::name).containsExactly("s1");
        assertThat(t.links()).extracting(LinkSpec::toString)
                .containsExactly("h1:h1-eth0 <-> s1:s1-h1", "h2:h2-eth0 <-> s1:s1-h2", "h3:h3-eth0 <-> s1:s1-h3");
        assertThat(t.interfacesOf("h3").getFirst().ip()).hasToString("10.0.0.3/8");
    }

    @Test
    void minimalIsTwoHostsOnOneSwitch() {
        Topology t = TopologyGenerators.fromSpec("minimal");

        assertThat(t.name()).isEqualTo("minimal");
        assertThat(t.links()).isEqualTo(TopologyGenerators.single(2).links());
    }

    @Test
    void linearChainsTheSwitchesWithOneHostEach() {
        Topology t = TopologyGenerators.fromSpec("linear,4");

        assertThat(t.name()).isEqualTo("linear-4");
        assertThat(t.hosts()).hasSize(4);
        assertThat(t.switches()).hasSize(4);
        assertThat(t.links()).extracting(LinkSpec::toString).containsExactly(
                "h1:h1-eth0 <-> s1:s1-h1",
                "h2:h2-eth0 <-> s2:s2-h2", "s2:s2-s1 <-> s1:s1-s2",
                "h3:h3-eth0 <-> s3:s3-h3", "s3:s3-s2 <-> s2:s2-s3",
                "h4:h4-eth0 <-> s4:s4-h4", "s4:s4-s3 <-> s3:s3-s4");
    }

    @Test
    void treeCountsNodesLikeMininet() {
        Topology t = TopologyGenerators.fromSpec("tree,2,3");

        assertThat(t.name()).isEqualTo("tree-2-3");
        assertThat(t.switches()).hasSize(4);
        assertThat(t.hosts()).hasSize(9);
        assertThat(t.links()).hasSize(12);
        assertThat(t.portsOf("s1")).containsExactly("s1-s2", "s1-s3", "s1-s4");
    }

    @Test
    void treeNumbersDepthFirstLikeMininetsTreeTopo() {
        Topology t = TopologyGenerators.tree(3, 2);

        // s1 -> (s2 -> (s3 -> h1 h2) (s4 -> h3 h4)) (s5 -> (s6 -> h5 h6) (s7 -> h7 h8))
        assertThat(t.portsOf("s1")).containsExactly("s1-s2", "s1-s5");
        assertThat(t.portsOf("s2")).containsExactly("s2-s3", "s2-s4", "s2-s1");
        assertThat(t.portsOf("s3")).containsExactly("s3-h1", "s3-h2", "s3-s2");
        assertThat(t.portsOf("s7")).containsExactly("s7-h7", "s7-h8", "s7-s5");
        assertThat(t.hosts()).extracting(HostSpec::name).containsExactly("h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8");
        // Each switch is linked to its parent once its subtree is complete, as Mininet adds them.
        assertThat(t.links().subList(0, 4)).extracting(LinkSpec::toString).containsExactly(
                "s3:s3-h1 <-> h1:h1-eth0", "s3:s3-h2 <-> h2:h2-eth0", "s2:s2-s3 <-> s3:s3-s2", "s4:s4-h3 <-> h3:h3-eth0");
    }

    @Test
    void omittedNumbersTakeMininetsDefaultsAndNumbersMayBeNamed() {
        assertThat(TopologyGenerators.fromSpec("single").name()).isEqualTo("single-2");
        assertThat(TopologyGenerators.fromSpec("linear").name()).isEqualTo("linear-2");
        assertThat(TopologyGenerators.fromSpec("tree").name()).isEqualTo("tree-1-2");
        assertThat(TopologyGenerators.fromSpec("tree,3").name()).isEqualTo("tree-3-2");
        assertThat(TopologyGenerators.fromSpec(" tree, depth=2, fanout=3 ").name()).isEqualTo("tree-2-3");
        assertThat(TopologyGenerators.fromSpec("tree,fanout=4").name()).isEqualTo("tree-1-4");
    }

    @Test
    void hostsBeyond254KeepCountingInto10Slash8() {
        Topology t = TopologyGenerators.single(300);

        assertThat(t.interfacesOf("h254").getFirst().ip()).hasToString("10.0.0.254/8");
        assertThat(t.interfacesOf("h256").getFirst().ip()).hasToString("10.0.1.0/8");
        assertThat(t.interfacesOf("h300").getFirst().ip()).hasToString("10.0.1.44/8");
    }

    @Test
    void badSpecsSayWhatToWrite() {
        assertThatThrownBy(() -> TopologyGenerators.fromSpec("")).isInstanceOf(TopologyException.class)
                .hasMessage("no topology given; write one of minimal, single,K, linear,K, tree,DEPTH,FANOUT, e.g. tree,2,3");
        assertThatThrownBy(() -> TopologyGenerators.fromSpec("tre,2"))
                .hasMessage("unknown topology 'tre' in 'tre,2' (did you mean 'tree'?);"
                        + " write one of minimal, single,K, linear,K, tree,DEPTH,FANOUT");
        assertThatThrownBy(() -> TopologyGenerators.fromSpec("single,3,4"))
                .hasMessage("topology 'single,3,4' has too many numbers; write single,K, e.g. single,3");
        assertThatThrownBy(() -> TopologyGenerators.fromSpec("tree,two,3"))
                .hasMessage("topology 'tree,two,3': 'two' is not a whole number; write tree,DEPTH,FANOUT, e.g. tree,2,3");
        assertThatThrownBy(() -> TopologyGenerators.fromSpec("tree,depht=2"))
                .hasMessageContaining("tree has no parameter 'depht' (did you mean 'depth'?)");
        assertThatThrownBy(() -> TopologyGenerators.fromSpec("tree,depth=2,3"))
                .hasMessageContaining("a plain number cannot follow a named one");
        assertThatThrownBy(() -> TopologyGenerators.fromSpec("linear,0"))
                .hasMessage("topology 'linear,0': k must be at least 1");
        assertThatThrownBy(() -> TopologyGenerators.fromSpec("single,100000"))
                .hasMessageStartingWith("topology 'single,100000' would have more than 99999 hosts;");
        assertThatThrownBy(() -> TopologyGenerators.fromSpec("tree,40,40"))
                .hasMessageStartingWith("topology 'tree,40,40' would have more than 99999 hosts;");
    }

    @Test
    void namesStayWithin15BytesAtTheLimit() {
        Topology t = TopologyGenerators.linear(TopologyGenerators.MAX_NODES);

        int longest = t.links().stream()
                .flatMap(l -> Stream.of(l.a(), l.b()))
                .mapToInt(e -> e.interfaceName().getBytes(StandardCharsets.UTF_8).length)
                .max().orElseThrow();
        assertThat(longest).isEqualTo("s99999-s99998".length());
    }

    @Test
    void aThousandHostsBuildWellUnder100Milliseconds() {
        assertThat(TopologyGenerators.tree(3, 10).hosts()).hasSize(1000);
        assertThat(bestOfFiveMillis(() -> TopologyGenerators.single(1000))).isLessThan(100);
        assertThat(bestOfFiveMillis(() -> TopologyGenerators.tree(3, 10))).isLessThan(100);
    }

    /** The best of several runs, so JIT warm-up and a noisy machine do not decide the result. */
    private static long bestOfFiveMillis(Supplier<Topology> build) {
        return IntStream.range(0, 5).mapToLong(i -> {
            long start = System.nanoTime();
            build.get();
            return (System.nanoTime() - start) / 1_000_000;
        }).min().orElseThrow();
    }
}
