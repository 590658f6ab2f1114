package net.mignet.linkemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EnginePriorityTest {
    @Test
    void eachModeHasItsWord() {
        assertThat(EnginePriority.fromWord("false")).isEqualTo(EnginePriority.NICE);
        assertThat(EnginePriority.fromWord(" Sparse ")).isEqualTo(EnginePriority.REALTIME_WHILE_SPARSE);
        assertThat(EnginePriority.fromWord("true")).isEqualTo(EnginePriority.REALTIME);
        for (EnginePriority p : EnginePriority.values()) {
            assertThat(EnginePriority.fromWord(p.word())).isEqualTo(p);
        }
    }

    @Test
    void anUnknownWordSaysWhatIsAllowed() {
        assertThatThrownBy(() -> EnginePriority.fromWord("yes")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("false, sparse or true").hasMessageContaining("'yes'");
    }

    @Test
    void theDefaultIsNiceAndOnlyAlwaysRealTimeLeavesACore() {
        assertThat(EngineSettings.automatic().priority()).isEqualTo(EnginePriority.NICE);
        assertThat(EngineSettings.threadsFor(EnginePriority.NICE, 2)).isEqualTo(2);
        assertThat(EngineSettings.threadsFor(EnginePriority.REALTIME_WHILE_SPARSE, 2)).isEqualTo(2);
        assertThat(EngineSettings.threadsFor(EnginePriority.REALTIME, 2)).isEqualTo(1);
        assertThat(EngineSettings.threadsFor(EnginePriority.REALTIME, 1)).isEqualTo(1);
    }
}
