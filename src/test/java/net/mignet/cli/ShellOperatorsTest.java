package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.mignet.topo.Words;
import org.junit.jupiter.api.Test;

class ShellOperatorsTest {
    private static List<String> argv(String typed) {
        return ShellOperators.argv(Words.splitMarked(typed));
    }

    @Test
    void an_unquoted_metacharacter_runs_the_line_through_sh_with_unquoted_words_as_typed() {
        assertThat(argv("ps -e | head -3")).containsExactly("sh", "-c", "ps -e | head -3");
        assertThat(argv("echo \"it's $HOME *\" > /tmp/x 2>&1"))
                .containsExactly("sh", "-c", "echo 'it'\\''s $HOME *' > /tmp/x 2>&1");
        // Operators need no spaces around them, as in sh; globs and variables expand, as in Mininet's bash.
        assertThat(argv("ping -c1 10.0.0.2|grep ttl")).containsExactly("sh", "-c", "ping -c1 10.0.0.2|grep ttl");
        assertThat(argv("ping -W1 10.0.0.77 2>/dev/null || echo down"))
                .containsExactly("sh", "-c", "ping -W1 10.0.0.77 2>/dev/null || echo down");
        assertThat(argv("echo a;echo b")).containsExactly("sh", "-c", "echo a;echo b");
        assertThat(argv("ls *.yaml")).containsExactly("sh", "-c", "ls *.yaml");
        assertThat(argv("echo $HOME")).containsExactly("sh", "-c", "echo $HOME");
    }

    @Test
    void host_names_become_addresses_also_between_operators() {
        List<String> got = ShellOperators.argv(Words.splitMarked("ping -c1 h2|grep h2 'h2'"),
                w -> w.equals("h2") ? "10.0.0.2" : w);
        assertThat(got).containsExactly("sh", "-c", "ping -c1 10.0.0.2|grep 10.0.0.2 '10.0.0.2'");
    }

    @Test
    void without_an_unquoted_metacharacter_the_words_are_the_program_and_its_arguments() {
        assertThat(argv("ping -c1 10.0.0.2")).containsExactly("ping", "-c1", "10.0.0.2");
        assertThat(argv("grep '|' /etc/passwd")).containsExactly("grep", "|", "/etc/passwd");
        assertThat(argv("grep \\> notes")).containsExactly("grep", ">", "notes");
        assertThat(argv("echo '$HOME' \"*\"")).containsExactly("echo", "$HOME", "*");
    }
}
