package net.mignet.topo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Words split as sh splits them, so that a command means the same typed here or in a terminal. */
class WordsTest {
    @Test
    void inside_double_quotes_a_backslash_escapes_only_what_sh_lets_it() {
        assertThat(Words.split("printf \"%s\\n\" one")).containsExactly("printf", "%s\\n", "one");
        assertThat(Words.split("echo \"a \\\"b\\\" \\$HOME \\\\\"")).containsExactly("echo", "a \"b\" $HOME \\");
        assertThat(Words.split("echo 'a\\nb' c\\ d")).containsExactly("echo", "a\\nb", "c d");
    }

    @Test
    void quoted_or_escaped_words_are_marked_literal() {
        assertThat(Words.splitMarked("a '|' \\> | x")).extracting(Words.Word::literal)
                .containsExactly(false, true, true, false, false);
    }

    @Test
    void each_word_knows_where_it_ends_so_the_rest_of_a_line_can_be_taken_as_typed() {
        String line = "sh  echo \"a  b\" | wc";
        assertThat(line.substring(Words.splitMarked(line).getFirst().end())).isEqualTo("  echo \"a  b\" | wc");
        assertThat(Words.splitMarked("'s'h x").getFirst().end()).isEqualTo(4);
        assertThat(Words.splitMarked("a \"b c\"")).extracting(Words.Word::end).containsExactly(1, 7);
    }
}
