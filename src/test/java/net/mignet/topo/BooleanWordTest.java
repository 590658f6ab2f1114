package net.mignet.topo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BooleanWordTest {
    @Test
    void true_false_yes_and_no_in_any_case() {
        assertThat(BooleanWord.parse("true")).isTrue();
        assertThat(BooleanWord.parse(" Yes ")).isTrue();
        assertThat(BooleanWord.parse("FALSE")).isFalse();
        assertThat(BooleanWord.parse("no")).isFalse();
    }

    @Test
    void anything_else_is_an_error_that_quotes_it() {
        assertThatThrownBy(() -> BooleanWord.parse("flase")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'flase' must be true or false");
        assertThatThrownBy(() -> BooleanWord.parse("1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BooleanWord.parse("")).isInstanceOf(IllegalArgumentException.class);
    }
}
