package net.mignet.linkemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import net.mignet.net.Emulation;
import net.mignet.net.EmulationOptions;
import net.mignet.net.PingResult;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.LinkParams;
import net.mignet.topo.Topology;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The netem backend; skipped, with the reason printed, on kernels without sch_netem (such as these machines'). */
class NetemBackendTest {

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("ping");
    }

    private static Topology twoHosts() {
        return TwoHosts.named("ne");
    }

    @Test
    void netem_delays_like_the_configuration_says() {
        try (Emulation net = Emulation.start(twoHosts(), EmulationOptions.DEFAULT)) {
            boolean netem = net.linkEmulator().name().equals("netem");
            if (!netem) {
                System.err.println("SKIPPED: the kernel has no netem (sch_netem); auto chose "
                        + net.linkEmulator().name());
            }
            assumeTrue(netem, "the kernel has no netem (sch_netem)");
            net.host("h1").ping("10.0.0.2", 1);
            net.links().getFirst().set(LinkParams.NONE.withDelay(Duration.ofMillis(5)).withBandwidth(100.0));
            assertThat(net.links().getFirst().backend()).isEqualTo("netem");
            PingResult r = net.host("h1").ping("10.0.0.2", 50, Duration.ofMillis(10));
            List<Double> sorted = r.rttMillis().stream().sorted().toList();
            assertThat(sorted.get(sorted.size() / 2)).as(r.output()).isBetween(9.5, 10.5);
        }
    }

    @Test
    void forcing_netem_where_the_kernel_lacks_it_fails_and_says_what_to_do() {
        try (Emulation net = Emulation.start(twoHosts(), EmulationOptions.DEFAULT)) {
            assumeTrue(!net.linkEmulator().name().equals("netem"), "the kernel has netem");
        }
        EmulationOptions netem = EmulationOptions.DEFAULT.withLinkEngine(LinkEngineChoice.NETEM);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Emulation.start(twoHosts(), netem).close())
                .hasMessageContaining("this kernel has no netem").hasMessageContaining("--link-engine=userspace");
    }

    @Test
    void netem_command_words_carry_every_parameter() {
        LinkParams p = LinkParams.NONE.with("delay", "5ms").with("jitter", "1ms").with("distribution", "normal")
                .with("loss", "gemodel 1% 20%").with("duplicate", "1%").with("corrupt", "0.5%").with("reorder", "10%")
                .with("limit", "300");
        assertThat(String.join(" ", NetemBackend.netemWords("h1-eth0", List.of("root", "handle", "1:"), p)))
                .isEqualTo("qdisc add dev h1-eth0 root handle 1: netem limit 300 delay 5000us 1000us distribution"
                        + " normal loss gemodel 1.000000% 20.000000% 100.000000% 0.000000% duplicate 1.000000%"
                        + " corrupt 0.500000% reorder 10.000000%");
    }
}
