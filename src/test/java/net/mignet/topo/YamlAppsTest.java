package net.mignet.topo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class YamlAppsTest {
    private static final String NET = """
            hosts:
              h1: {ip: 10.0.0.1/24}
              h2: {ip: 10.0.0.2/24}
            switches:
              s1:
            links:
              - ends: [h1, s1]
              - ends: [h2, s1]
            """;

    @Test
    void apps_with_a_recipe_a_method_and_none() {
        Lab lab = YamlTopologyLoader.parseLab(NET + """
                apps:
                  server:
                    host: h2
                    command: python3 server.py h2
                    migration:
                      successor: python3 server.py {host} --get_state
                      ready: udp:9999
                      trigger: TERM*6/100ms
                      done: log:Got the counter
                  counter:
                    host: h1
                    command: [counter-service, --listen, "10.0.0.1:8888"]
                    migration: handover
                  plain: {host: h1, command: "sleep 'a b'", tty: false}
                """, "lab.yaml");
        assertThat(lab.apps()).extracting(AppSpec::name).containsExactly("server", "counter", "plain");
        AppSpec server = lab.apps().get(0);
        assertThat(server.command()).containsExactly("python3", "server.py", "h2");
        assertThat(server.migration()).isInstanceOf(MigrationRecipe.class);
        assertThat(((MigrationRecipe) server.migration()).successor())
                .containsExactly("python3", "server.py", "{host}", "--get_state");
        assertThat(lab.apps().get(1).migration()).isEqualTo(new MigrationMethod.Handover(9999));
        assertThat(lab.apps().get(2).command()).isEqualTo(List.of("sleep", "a b"));
        assertThat(lab.apps().get(2).tty()).isFalse();
        assertThat(lab.apps().get(2).migration()).isNull();
    }

    @Test
    void problems_name_file_line_and_key() {
        assertThatThrownBy(() -> YamlTopologyLoader.parseLab(NET + """
                apps:
                  server:
                    host: h9
                    command: python3 server.py
                    migration:
                      ready: udp:nine
                      trigger: TREM
                      colour: blue
                  other:
                    command: x
                """, "lab.yaml"))
                .hasMessageContaining("lab.yaml:11: app 'server' runs on 'h9', which is not a node")
                .hasMessageContaining("lab.yaml:14: ready: 'nine' is not a port number")
                .hasMessageContaining("lab.yaml:15: trigger: 'TREM' is not a signal name")
                .hasMessageContaining("lab.yaml:16: unknown key 'colour' in a migration recipe")
                .hasMessageContaining("lab.yaml:17: app 'other' needs the host");
    }

    @Test
    void an_app_s_wait_may_give_its_own_timeout() {
        Lab lab = YamlTopologyLoader.parseLab(NET + """
                apps:
                  slow: {host: h1, command: sleep 100, wait: {until: "tcp:8080", timeout: 90s}}
                  quick: {host: h2, command: sleep 100, wait: "udp:9999"}
                """, "lab.yaml");
        assertThat(lab.apps().get(0).startedWhen()).hasToString("tcp:8080");
        assertThat(lab.apps().get(0).startTimeout()).isEqualTo(java.time.Duration.ofSeconds(90));
        assertThat(lab.apps().get(1).startTimeout()).isEqualTo(AppSpec.DEFAULT_START_TIMEOUT);
        assertThatThrownBy(() -> YamlTopologyLoader.parseLab(NET + """
                apps:
                  slow: {host: h1, command: sleep 100, wait: {timeout: 90s}}
                """, "lab.yaml")).hasMessageContaining("lab.yaml:10: wait: needs the condition");
    }

    @Test
    void an_app_may_not_take_a_node_s_name() {
        assertThatThrownBy(() -> YamlTopologyLoader.parseLab(NET + """
                apps:
                  h2: {host: h1, command: sleep 100}
                """, "lab.yaml"))
                .hasMessageContaining("lab.yaml:10: app 'h2' has the name of host 'h2'")
                .hasMessageContaining("give the app its own name");
    }

    @Test
    void an_app_in_a_pid_namespace_of_its_own() {
        Lab lab = YamlTopologyLoader.parseLab(NET + """
                apps:
                  big: {host: h2, command: python3 big.py, pid_namespace: true}
                  small: {host: h1, command: sleep 600}
                """, "lab.yaml");
        assertThat(lab.apps().get(0).pidNamespace()).isTrue();
        assertThat(lab.apps().get(1).pidNamespace()).isFalse();
        assertThatThrownBy(() -> YamlTopologyLoader.parseLab(NET + """
                apps:
                  big: {host: h2, command: python3 big.py, pid_namespace: true, tty: false}
                """, "lab.yaml")).hasMessageContaining("lab.yaml:10: pid_namespace: true needs the app's terminals");
        assertThatThrownBy(() -> YamlTopologyLoader.parseLab(NET + """
                apps:
                  big: {host: h2, command: python3 big.py, pid_namespace: maybe}
                """, "lab.yaml")).hasMessageContaining("lab.yaml:10: pid_namespace: 'maybe' must be true or false");
    }

    @Test
    void a_key_is_named_once_even_when_the_parser_names_it_too() {
        // Conditions and ports are parsed by code shared with the shell, whose messages name the key already.
        String message = org.junit.jupiter.api.Assertions.assertThrows(TopologyException.class,
                () -> YamlTopologyLoader.parseLab(NET + """
                        apps:
                          a: {host: h1, command: sleep 1, wait: 99999}
                          b: {host: h1, command: sleep 1, migration: handover:99999}
                          c:
                            host: h1
                            command: sleep 1
                            migration: {ready: 99999}
                        """, "lab.yaml")).getMessage();
        assertThat(message).contains("lab.yaml:10: wait: '99999' is not a condition")
                .contains("lab.yaml:11: migration: '99999' is not a port number (1-65535)")
                .contains("lab.yaml:15: ready: '99999' is not a condition")
                .doesNotContain("wait: wait:").doesNotContain("migration: migration:")
                .doesNotContain("ready: ready:");
    }

    @Test
    void an_app_name_problem_says_which_rule_it_breaks() {
        assertThatThrownBy(() -> YamlTopologyLoader.parseLab(NET + "apps:\n  .hidden: {host: h1, command: sleep 1}\n",
                "lab.yaml")).hasMessageContaining("lab.yaml:10: app name '.hidden' starts with '.'; it must start"
                        + " with a letter or digit, e.g. hidden");
        String longName = "a".repeat(300);
        assertThatThrownBy(() -> YamlTopologyLoader.parseLab(NET + "apps:\n  " + longName
                + ": {host: h1, command: sleep 1}\n", "lab.yaml"))
                .hasMessageContaining("lab.yaml:10: app name 'aaaaaaaaaaaaaaaaaaaa...' is 300 characters long;"
                        + " at most 64");
        assertThatThrownBy(() -> YamlTopologyLoader.parseLab(NET + "apps:\n  'a b': {host: h1, command: sleep 1}\n",
                "lab.yaml")).hasMessageContaining("lab.yaml:10: app name 'a b' contains ' '; use only letters,"
                        + " digits, '_', '.' and '-'");
        assertThat(Names.appNameProblem("a".repeat(64))).isNull();
        assertThat(Names.appNameProblem("9.web_1-x")).isNull();
    }

    @Test
    void the_plain_topology_loader_still_reads_files_with_apps() {
        assertThat(YamlTopologyLoader.parse(NET + "apps:\n  a: {host: h1, command: sleep 1}\n", "x.yaml").hosts())
                .hasSize(2);
    }
}
