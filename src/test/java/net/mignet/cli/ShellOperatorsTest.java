package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShellOperatorsTest {
    @Test
    void a_pipe_or_redirection_word_runs_the_line_through_sh_with_every_other_word_quoted() {
        assertThat(ShellOperators.argv(List.of("ps", "-e", "|", "head", "-3")))
                .containsExactly("sh", "-c", "'ps' '-e' | 'head' '-3'");
        assertThat(ShellOperators.argv(List.of("echo", "it's $HOME *", ">", "/tmp/x")))
                .containsExactly("sh", "-c", "'echo' 'it'\\''s $HOME *' > '/tmp/x'");
    }

    @Test
    void without_an_operator_the_words_are_the_program_and_its_arguments() {
        List<String> plain = List.of("ping", "-c1", "10.0.0.2", "a|b", ">x");
        assertThat(ShellOperators.argv(plain)).isSameAs(plain);
    }
}
