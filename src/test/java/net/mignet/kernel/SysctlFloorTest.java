package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On a stand-in file: the sysctl is raised only when lower, and put back only when it was raised. */
class SysctlFloorTest {
    @TempDir
    Path dir;

    @Test
    void a_lower_value_is_raised_and_put_back_on_close() throws Exception {
        Path file = Files.writeString(dir.resolve("limit"), "100\n");
        try (SysctlFloor floor = SysctlFloor.atLeast(file, 200)) {
            assertThat(floor.changed()).isTrue();
            assertThat(floor.previous()).isEqualTo(100);
            assertThat(SysctlFloor.read(file)).isEqualTo(200);
        }
        assertThat(SysctlFloor.read(file)).isEqualTo(100);
    }

    @Test
    void a_value_high_enough_is_left_as_it_is() throws Exception {
        Path file = Files.writeString(dir.resolve("limit"), "300\n");
        try (SysctlFloor floor = SysctlFloor.atLeast(file, 200)) {
            assertThat(floor.changed()).isFalse();
            Files.writeString(file, "250\n"); // changed by someone else meanwhile: not ours to put back
        }
        assertThat(SysctlFloor.read(file)).isEqualTo(250);
    }
}
