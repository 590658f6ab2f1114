package net.mignet.topo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** cpu:, memory: and pids: of an app in the topology file, and how an app's limits sit within its host's. */
class AppLimitsSpecTest {
    private static final String NETWORK = """
            hosts:
              h1: {ip: 10.0.0.1/24, cpu: 0.5, memory: 256m}
              h2: {ip: 10.0.0.2/24}
            switches:
              s1:
            links:
              - ends: [h1, s1]
              - ends: [h2, s1]
            """;

    @Test
    void an_apps_limits_are_read_from_the_file() {
        Lab lab = YamlTopologyLoader.parseLab(NETWORK + """
                apps:
                  web: {host: h1, command: python3 -m http.server, cpu: 0.2, memory: 64m}
                  any: {host: h2, command: sleep 60, cpu: 2, pids: 10}
                  plain: {host: h1, command: sleep 60}
                """, "a.yaml");
        assertThat(lab.apps().get(0).limits()).isEqualTo(new ResourceLimits(0.2, 64L << 20, 0));
        assertThat(lab.apps().get(1).limits()).hasToString("cpu=2 pids=10");
        assertThat(lab.apps().get(2).limits()).isEqualTo(ResourceLimits.NONE);
    }

    @Test
    void an_app_above_its_hosts_limits_is_refused_at_its_line() {
        assertThatThrownBy(() -> YamlTopologyLoader.parseLab(NETWORK + """
                apps:
                  web: {host: h1, command: sleep 60, cpu: 1, memory: 64m}
                  hog: {host: h1, command: sleep 60, memory: lots}
                """, "a.yaml"))
                .hasMessageContaining("a.yaml:10").hasMessageContaining("app 'web' may not have more than its host h1")
                .hasMessageContaining("cpu=1 (above cpu=0.5)").hasMessageContaining("its cpu:, memory: or pids:")
                .hasMessageContaining("a.yaml:11").hasMessageContaining("memory 'lots'");
    }

    @Test
    void within_takes_the_tighter_of_each_and_above_names_the_looser() {
        ResourceLimits host = new ResourceLimits(0.5, 256L << 20, 0);
        ResourceLimits app = new ResourceLimits(1, 64L << 20, 20);
        assertThat(app.within(host)).isEqualTo(new ResourceLimits(0.5, 64L << 20, 20));
        assertThat(ResourceLimits.NONE.within(host)).isEqualTo(host);
        assertThat(app.within(ResourceLimits.NONE)).isEqualTo(app);
        assertThat(app.above(host)).containsExactly("cpu=1 (above cpu=0.5)");
        assertThat(new ResourceLimits(0, 1L << 30, 0).above(host)).containsExactly("memory=1g (above memory=256m)");
        assertThat(app.above(ResourceLimits.NONE)).isEmpty();
        assertThatThrownBy(() -> app.requireWithin(host, "app web", "h1"))
                .hasMessage("app web may not have more than its host h1 (cpu=0.5 memory=256m): cpu=1 (above"
                        + " cpu=0.5); give it less, or raise the host's limit first (limit h1 cpu=1)");
        new ResourceLimits(0.5, 256L << 20, 5).requireWithin(host, "app web", "h1");
    }
}
