package net.mignet.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.mignet.kernel.CriuTty;
import org.junit.jupiter.api.Test;

class CriuVersionTest {

    @Test
    void parses_what_criu_prints() {
        assertThat(CriuVersion.parse("Version: 4.2.1\nGitID: v4.2.1\n")).contains(new CriuVersion(4, 2, 1));
        assertThat(CriuVersion.parse("Version: 3.17\n")).contains(new CriuVersion(3, 17, 0));
        assertThat(CriuVersion.parse("criu: command not found")).isEmpty();
    }

    @Test
    void only_4_2_and_newer_are_enough() {
        assertThat(new CriuVersion(4, 2, 1).atLeast(CriuInstallation.MINIMUM)).isTrue();
        assertThat(new CriuVersion(4, 10, 0).atLeast(CriuInstallation.MINIMUM)).isTrue();
        assertThat(new CriuVersion(4, 1, 1).atLeast(CriuInstallation.MINIMUM)).isFalse();
        assertThat(new CriuVersion(3, 17, 0).atLeast(CriuInstallation.MINIMUM)).isFalse();
    }

    @Test
    void terminal_keys_are_hex_rdev_and_dev() {
        CriuTty tty = new CriuTty(0x8803, 0x19);
        assertThat(tty.key()).isEqualTo("tty[8803:19]");
        assertThat(CriuTty.parse("tty[8803:19]")).isEqualTo(tty);
        assertThatThrownBy(() -> CriuTty.parse("tty[3:zz]")).hasMessageContaining("tty[RDEV:DEV]");
    }
}
