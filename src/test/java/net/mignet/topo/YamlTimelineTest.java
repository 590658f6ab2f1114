package net.mignet.topo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class YamlTimelineTest {
    /** Lines 1-13. */
    private static final String NET = """
            hosts:
              h1: {ip: 10.0.0.1/24}
              h2: {ip: 10.0.0.2/24}
              h3: {ip: 10.0.0.3/24}
            switches:
              s1:
            links:
              - ends: [h1, s1]
              - ends: [h2, s1]
              - ends: ["h3:h3-eth0", s1]
            apps:
              server: {host: h2, command: counter-service --listen 10.0.0.2:8888, pid_namespace: true}
              client: {host: h1, command: counter-client --server 10.0.0.2:8888}
            """;

    @Test
    void every_verb_with_its_timing() {
        Lab lab = YamlTopologyLoader.parseLab(NET + """
                timeline:
                  - wait: {app: client, until: "log:^Current counter: 5$", timeout: 20s}
                  - at: 2s
                    migrate: server
                    to: h3
                    strategy: checkpoint
                    lazy: true
                  - after: 500ms
                    link: [h3:h3-eth0, s1]
                    set: {bw: 100, delay: 2ms}
                  - cut: [h1, s1]
                  - restore: [s1, h1]
                  - wait: 1s
                  - repeat: 3
                    steps:
                      - migrate: server
                        to: h2
                      - after: 100ms
                        migrate: server
                        to: h3
                  - stop: client
                """, "exp.yaml");
        List<TimedStep> t = lab.timeline();
        assertThat(t).hasSize(8);
        assertThat(t.get(0).step()).isInstanceOf(TimelineStep.AwaitApp.class);
        assertThat(((TimelineStep.AwaitApp) t.get(0).step()).timeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(t.get(1).start()).isEqualTo(new TimedStep.Start.At(Duration.ofSeconds(2)));
        assertThat(t.get(1).step()).isEqualTo(new TimelineStep.Migrate("server", "h3", "checkpoint",
                Map.of("lazy", "true")));
        assertThat(t.get(1).line()).isEqualTo(16);
        assertThat(t.get(2).start()).isEqualTo(new TimedStep.Start.After(Duration.ofMillis(500)));
        assertThat(t.get(2).step()).isEqualTo(new TimelineStep.LinkSet("h3:h3-eth0", "s1",
                Map.of("bw", "100", "delay", "2ms")));
        assertThat(t.get(3).step()).isEqualTo(new TimelineStep.LinkState("h1", "s1", false));
        assertThat(t.get(4).step()).isEqualTo(new TimelineStep.LinkState("s1", "h1", true));
        assertThat(t.get(5).step()).isEqualTo(new TimelineStep.Pause(Duration.ofSeconds(1)));
        TimelineStep.Repeat repeat = (TimelineStep.Repeat) t.get(6).step();
        assertThat(repeat.times()).isEqualTo(3);
        assertThat(repeat.steps()).extracting(TimedStep::step).containsExactly(
                new TimelineStep.Migrate("server", "h2", "auto", Map.of()),
                new TimelineStep.Migrate("server", "h3", "auto", Map.of()));
        assertThat(t.get(7).step()).isEqualTo(new TimelineStep.Stop("client"));
        assertThat(lab.appsAtStart()).extracting(AppSpec::name).containsExactly("server", "client");
    }

    @Test
    void an_app_a_step_deploys_does_not_start_with_the_network() {
        Lab lab = YamlTopologyLoader.parseLab(NET + """
                timeline:
                  - at: 1s
                    deploy: client
                """, "exp.yaml");
        assertThat(lab.appsAtStart()).extracting(AppSpec::name).containsExactly("server");
    }

    @Test
    void problems_name_their_line_and_what_to_write() {
        assertThatThrownBy(() -> YamlTopologyLoader.parseLab(NET + """
                timeline:
                  - migrate: server
                  - migrate: server
                    to: h3
                  - at: 2s
                    after: 1s
                    stop: client
                  - jump: client
                  - stop: client
                    cut: [h1, s1]
                  - migrate: server
                    to: h3
                    strategy: teleport
                  - link: [h1, s1]
                    set: {delay: 1ms}
                  - link: [h1, s1]
                    set: {bw: -5}
                  - wait: forever
                  - stop: client
                    to: h3
                  - repeat: 0
                    steps: [{stop: client}]
                """, "exp.yaml"))
                .isInstanceOf(TopologyException.class)
                .hasMessageContaining("exp.yaml:15: a migrate step needs its target host, e.g. 'to: h3'")
                .hasMessageContaining("exp.yaml:19: a step starts either 'at:' a time or 'after:'")
                .hasMessageContaining("exp.yaml:21: unknown key 'jump'")
                .hasMessageContaining("exp.yaml:22: a timeline step does one thing; this one has cut and stop")
                .hasMessageContaining("exp.yaml:26: strategy 'teleport' is unknown")
                .hasMessageContaining("exp.yaml:30: bw: ")
                .hasMessageContaining("exp.yaml:31: wait: ")
                .hasMessageContaining("exp.yaml:33: 'to' does not belong to a 'stop' step")
                .hasMessageContaining("exp.yaml:34: repeat: '0' is not a count from 1 to")
                .hasMessageNotContaining("changes nothing");
    }

    @Test
    void a_wait_condition_names_its_key_once() {
        assertThatThrownBy(() -> YamlTopologyLoader.parseLab(NET + """
                timeline:
                  - wait: {app: client, until: "log:(["}
                """, "exp.yaml"))
                .hasMessageContaining("exp.yaml:15: until: '([' is not a regular expression")
                .hasMessageNotContaining("until: until:");
    }

    @Test
    void steps_name_apps_hosts_and_links_of_the_file() {
        assertThatThrownBy(() -> YamlTopologyLoader.parseLab(NET + """
                timeline:
                  - migrate: sever
                    to: h9
                  - cut: [h1, h2]
                  - link: [h3:eth9, s1]
                    set: {bw: 10}
                """, "exp.yaml"))
                .isInstanceOf(TopologyException.class)
                .hasMessageContaining("exp.yaml:15: the timeline names app 'sever'")
                .hasMessageContaining("did you mean 'server'")
                .hasMessageContaining("exp.yaml:15: the timeline names host 'h9'")
                .hasMessageContaining("exp.yaml:17: the timeline names a link between 'h1' and 'h2'")
                .hasMessageContaining("exp.yaml:18: the timeline names a link between 'h3:eth9' and 's1'");
    }

    @Test
    void a_sweep_reads_the_file_once_per_combination() {
        List<SweepRun> runs = YamlTopologyLoader.parseExperiment("""
                sweep:
                  strategy: [handover, checkpoint]
                  bw: [10, 100, 1000]
                """ + NET.replace("- ends: [h2, s1]", "- {ends: [h2, s1], bw: \"${bw}\"}") + """
                timeline:
                  - migrate: server
                    to: h3
                    strategy: ${strategy}
                """, "sweep.yaml");
        assertThat(runs).hasSize(6);
        assertThat(runs.getFirst().values()).isEqualTo(Map.of("strategy", "handover", "bw", "10"));
        assertThat(runs.get(5).values()).isEqualTo(Map.of("strategy", "checkpoint", "bw", "1000"));
        assertThat(((TimelineStep.Migrate) runs.get(5).lab().timeline().getFirst().step()).strategy())
                .isEqualTo("checkpoint");
        assertThat(runs.get(5).lab().topology().links().get(1).aToB().bandwidthMbit()).isEqualTo(1000.0);
    }

    @Test
    void a_placeholder_must_name_a_swept_list() {
        assertThatThrownBy(() -> YamlTopologyLoader.parseExperiment("""
                sweep:
                  strategy: [handover]
                """ + NET + """
                timeline:
                  - migrate: server
                    to: h3
                    strategy: ${strategie}
                """, "sweep.yaml"))
                .isInstanceOf(TopologyException.class)
                .hasMessageContaining("sweep.yaml:19: ${strategie} names no list of the 'sweep:' section")
                .hasMessageContaining("did you mean 'strategy'");
    }

    @Test
    void a_bad_swept_value_is_reported_at_its_line_with_the_run_after_the_message() {
        assertThatThrownBy(() -> YamlTopologyLoader.parseExperiment("""
                sweep:
                  strategy: [handover, teleport]
                """ + NET + """
                timeline:
                  - migrate: server
                    to: h3
                    strategy: ${strategy}
                """, "sweep.yaml"))
                .isInstanceOf(TopologyException.class)
                .hasMessageContaining("sweep.yaml:19: ")
                .hasMessageContaining("(in the sweep's run {strategy=teleport})")
                .hasMessageNotContaining("sweep.yaml {");
    }

    @Test
    void migration_options_the_step_could_not_use_are_refused_when_the_file_is_read() {
        assertThatThrownBy(() -> YamlTopologyLoader.parseExperiment(NET + """
                timeline:
                  - migrate: client
                    to: h3
                    lazy: true
                  - migrate: server
                    to: h3
                    strategy: checkpoint
                    successor: counter-service --listen 10.0.0.2:8888
                """, "opts.yaml"))
                .isInstanceOf(TopologyException.class)
                .hasMessageContaining("lazy: true (post-copy) needs app 'client' in a pid namespace of its own")
                .hasMessageContaining("strategy checkpoint would ignore them");
    }

    @Test
    void a_file_without_a_sweep_is_one_run() {
        assertThat(YamlTopologyLoader.parseExperiment(NET, "plain.yaml")).singleElement()
                .satisfies(r -> assertThat(r.values()).isEmpty());
    }

    @Test
    void fault_steps_name_hosts_and_links() {
        Lab lab = YamlTopologyLoader.parseLab(NET + """
                timeline:
                  - crash: h2
                  - restart: h2
                  - freeze: h3
                  - thaw: h3
                  - flap: [h1, s1]
                    period: 2s
                    count: 3
                """, "exp.yaml");
        assertThat(lab.timeline()).extracting(TimedStep::step).containsExactly(
                new TimelineStep.HostFault("crash", "h2"), new TimelineStep.HostFault("restart", "h2"),
                new TimelineStep.HostFault("freeze", "h3"), new TimelineStep.HostFault("thaw", "h3"),
                new TimelineStep.Flap("h1", "s1", Duration.ofSeconds(2), 3));
        assertThatThrownBy(() -> YamlTopologyLoader.parseLab(NET + """
                timeline:
                  - crash: h9
                """, "exp.yaml")).hasMessageContaining("exp.yaml:15: the timeline names host 'h9'");
        assertThatThrownBy(() -> YamlTopologyLoader.parseLab(NET + """
                timeline:
                  - flap: [h1, s1]
                    period: 2s
                """, "exp.yaml")).hasMessageContaining("exp.yaml:15: a flap says how long a cycle is and how many");
    }
}
