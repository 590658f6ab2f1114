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
    void an_unquoted_pipe_or_redirection_runs_the_line_through_sh_with_every_other_word_quoted() {
        assertThat(argv("ps -e | head -3")).containsExactly("sh", "-c", "'ps' '-e' | 'head' '-3'");
        assertThat(argv("echo \"it's $HOME *\" > /tmp/x 2>&1"))
                .containsExactly("sh", "-c", "'echo' 'it'\\''s $HOME *' > '/tmp/x' 2>&1");
    }

    @Test
    void without_an_unquoted_operator_the_words_are_the_program_and_its_arguments() {
        assertThat(argv("ping -c1 10.0.0.2 a|b >x")).containsExactly("ping", "-c1", "10.0.0.2", "a|b", ">x");
        assertThat(argv("grep '|' /etc/passwd")).containsExactly("grep", "|", "/etc/passwd");
        assertThat(argv("grep \\> notes")).containsExactly("grep", ">", "notes");
        // bash's |& is no operator of POSIX sh (dash refuses it): it stays an argument.
        assertThat(argv("echo hi |& cat")).containsExactly("echo", "hi", "|&", "cat");
    }
}
