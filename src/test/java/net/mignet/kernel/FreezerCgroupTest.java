package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The clean-up's side of freezing: what a killed emulation left frozen is thawed, so that it can die. */
class FreezerCgroupTest {

    @BeforeEach
    void needsFreezer() {
        KernelAssumptions.assumeRoot();
        assumeTrue(FreezerCgroup.available(), "no v1 freezer hierarchy at " + FreezerCgroup.HIERARCHY);
    }

    @Test
    void a_frozen_process_survives_sigkill_until_the_clean_up_removes_its_cgroup() throws Exception {
        String prefix = "mignet.freezer-test-" + ProcessHandle.current().pid() + ".";
        Process sleeper = new ProcessBuilder("sleep", "600").start();
        try {
            FreezerCgroup cgroup = FreezerCgroup.create(prefix + "h1");
            cgroup.add(List.of(sleeper.pid()));
            cgroup.freeze();
            assertThat(cgroup.isFrozen()).isTrue();
            assertThat(cgroup.members()).containsExactly(sleeper.pid());
            sleeper.destroyForcibly();
            // Frozen, it cannot act on the SIGKILL: it is still there once the kernel has had time to deliver it.
            assertThat(sleeper.waitFor(300, TimeUnit.MILLISECONDS)).isFalse();

            assertThat(FreezerCgroup.removeAll(prefix)).isEqualTo(1);

            assertThat(sleeper.waitFor(5, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.exists(cgroup.path())).isFalse();
            assertThat(FreezerCgroup.removeAll(prefix)).isZero();
        } finally {
            FreezerCgroup.removeAll(prefix);
            sleeper.destroyForcibly();
        }
    }

    @Test
    void release_lets_one_process_out_of_a_frozen_cgroup() throws Exception {
        String prefix = "mignet.freezer-test-" + ProcessHandle.current().pid() + "r.";
        Process a = new ProcessBuilder("sleep", "600").start();
        Process b = new ProcessBuilder("sleep", "600").start();
        try (FreezerCgroup cgroup = FreezerCgroup.create(prefix + "h1")) {
            cgroup.add(List.of(a.pid(), b.pid()));
            cgroup.freeze();
            FreezerCgroup.release(List.of(a.pid()));
            assertThat(cgroup.members()).containsExactly(b.pid());
            assertThat(Files.readString(Path.of("/proc", Long.toString(a.pid()), "cgroup")))
                    .doesNotContain(":freezer:/mignet/");
            a.destroyForcibly();
            assertThat(a.waitFor(5, TimeUnit.SECONDS)).isTrue();
        } finally {
            a.destroyForcibly();
            b.destroyForcibly();
            b.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
