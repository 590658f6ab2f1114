package net.mignet.topo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.mignet.topo.MigrationRecipe.Condition;
import net.mignet.topo.MigrationRecipe.Trigger;
import org.junit.jupiter.api.Test;

class MigrationRecipeTest {

    @Test
    void every_key_parses_and_the_successor_fills_its_placeholders_word_by_word() {
        MigrationRecipe r = MigrationRecipe.of(java.util.LinkedHashMap.newLinkedHashMap(5));
        r = r.with("successor", "python3 'my server.py' {host} --from {from}@{from_ip} --to={to_ip} {app}")
                .with("ready", "udp:9999").with("trigger", "TERM*3/1s").with("done", "log:^Got the (counter|state)")
                .with("grace", "250ms");
        assertThat(r.successorArgv(List.of("old"), Map.of("host", "h3", "from", "h2", "from_ip", "192.168.0.12",
                "to_ip", "192.168.0.13", "app", "srv x")))
                .containsExactly("python3", "my server.py", "h3", "--from", "h2@192.168.0.12", "--to=192.168.0.13",
                        "srv x");
        assertThat(r.ready()).isEqualTo(new Condition.PortBound("udp", 9999));
        assertThat(r.trigger()).isEqualTo(new Trigger.Signal("TERM", 3, Duration.ofSeconds(1)));
        assertThat(((Trigger.Signal) r.trigger()).number()).isEqualTo(15);
        assertThat(((Condition.LogMatch) r.done()).regex().matcher("Got the state 5").find()).isTrue();
        assertThat(r.grace()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void defaults_keep_the_command_line_and_wait_for_the_old_instance_to_exit() {
        MigrationRecipe r = MigrationRecipe.DEFAULT;
        assertThat(r.successorArgv(List.of("a", "{host}"), Map.of())).containsExactly("a", "{host}");
        assertThat(r.trigger()).isEqualTo(new Trigger.Signal("TERM", 1, Duration.ZERO));
        assertThat(r.done()).isEqualTo(new Condition.Exited());
        assertThat(r.grace()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void other_triggers_and_conditions() {
        assertThat(Trigger.parse("SIGUSR1")).isEqualTo(new Trigger.Signal("USR1", 1, Duration.ZERO));
        assertThat(Trigger.parse("exec:redis-cli -p 6379 save")).isEqualTo(
                new Trigger.Exec(List.of("redis-cli", "-p", "6379", "save")));
        assertThat(Condition.parse("tcp:80", "done")).isEqualTo(new Condition.PortBound("tcp", 80));
        assertThat(Condition.parse("after:1.5s", "ready")).isEqualTo(new Condition.After(Duration.ofMillis(1500)));
        assertThat(Condition.parse("exit", "done")).isEqualTo(new Condition.Exited());
    }

    @Test
    void bad_values_name_their_key_and_what_to_write() {
        assertThatThrownBy(() -> MigrationRecipe.DEFAULT.with("ready", "udp:99999"))
                .hasMessageContaining("ready: '99999' is not a port number");
        assertThatThrownBy(() -> MigrationRecipe.DEFAULT.with("ready", "exit"))
                .hasMessageContaining("ready: 'exit' cannot say");
        assertThatThrownBy(() -> MigrationRecipe.DEFAULT.with("done", "log:(")).hasMessageContaining("done: '('");
        assertThatThrownBy(() -> MigrationRecipe.DEFAULT.with("done", "soon"))
                .hasMessageContaining("done: 'soon' is not a condition").hasMessageContaining("exit");
        assertThatThrownBy(() -> MigrationRecipe.DEFAULT.with("trigger", "TREM"))
                .hasMessageContaining("'TREM' is not a signal name").hasMessageContaining("TERM");
        assertThatThrownBy(() -> MigrationRecipe.DEFAULT.with("successor", "x {hots}"))
                .hasMessageContaining("unknown placeholder {hots}").hasMessageContaining("{host}");
        assertThatThrownBy(() -> MigrationRecipe.DEFAULT.with("succesor", "x"))
                .hasMessageContaining("unknown recipe key 'succesor'");
        assertThatThrownBy(() -> MigrationRecipe.DEFAULT.with("grace", "1"))
                .hasMessageContaining("grace: '1' has no unit");
    }

    @Test
    void migration_methods_by_name() {
        assertThat(MigrationMethod.parse("checkpoint")).isEqualTo(new MigrationMethod.Checkpoint());
        assertThat(MigrationMethod.parse("handover:7000")).isEqualTo(new MigrationMethod.Handover(7000));
        assertThatThrownBy(() -> MigrationMethod.parse("teleport")).hasMessageContaining("'teleport'");
    }
}
