package net.mignet.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.mignet.topo.GilbertElliott;
import net.mignet.topo.LinkParams;
import org.junit.jupiter.api.Test;

/** {@code link a b set ...} as the shell splits it into words. */
class LinkSettingsTest {
    @Test
    void a_loss_model_written_unquoted_takes_the_numbers_after_it() {
        LinkSettings s = LinkSettings.parse(List.of("loss=gemodel", "1%", "30%", "delay=5ms"), "h1", "s1");
        LinkParams p = s.applyTo(LinkParams.NONE);
        assertThat(p.gilbertElliott()).isEqualTo(GilbertElliott.parse("gemodel 1% 30%"));
        assertThat(p.delay()).hasMillis(5);
    }

    @Test
    void a_bare_word_elsewhere_is_still_not_key_value() {
        assertThatThrownBy(() -> LinkSettings.parse(List.of("delay=5ms", "1%"), "h1", "s1"))
                .hasMessageContaining("'1%' is not key=value");
        assertThatThrownBy(() -> LinkSettings.parse(List.of("loss=gemodel", "lots"), "h1", "s1"))
                .hasMessageContaining("lots");
    }
}
