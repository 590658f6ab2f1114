package net.mignet.linkemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EngineSettingsTest {
    private static final String AWAKE_CPUS = "mignet.linkemu.awakeCpus";

    @AfterEach
    void clearProperty() {
        System.clearProperty(AWAKE_CPUS);
    }

    @Test
    void a_switch_property_is_read_strictly_and_its_error_names_the_property() {
        System.setProperty(AWAKE_CPUS, "false");
        assertThat(EngineSettings.fromSystemProperties().awakeCpus()).isFalse();
        System.setProperty(AWAKE_CPUS, "flase");
        assertThatThrownBy(EngineSettings::fromSystemProperties).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(AWAKE_CPUS + ": 'flase' must be true or false");
    }
}
