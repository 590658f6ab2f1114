package net.mignet.linkemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EngineSettingsTest {
    private static final String AWAKE_CPUS = "mignet.linkemu.awakeCpus";
    private static final String KERNEL_PATH = "mignet.linkemu.kernelPath";

    @AfterEach
    void clearProperty() {
        System.clearProperty(AWAKE_CPUS);
        System.clearProperty(KERNEL_PATH);
    }

    @Test
    void the_kernel_path_is_on_unless_a_property_turns_it_off() {
        assertThat(EngineSettings.fromSystemProperties().kernelPath()).isTrue();
        System.setProperty(KERNEL_PATH, "no");
        assertThat(EngineSettings.fromSystemProperties().kernelPath()).isFalse();
        assertThat(EngineSettings.automatic().withKernelPath(false).withThreads(3).kernelPath()).isFalse();
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
