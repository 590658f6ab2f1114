package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Instant;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.Test;

class EmulationOwnerTest {

    @Test
    void a_reused_pid_is_not_taken_for_the_owner_that_recorded_it() throws Exception {
        KernelAssumptions.assumeRoot();
        ProcessIdentity self = ProcessIdentity.current();
        assertThat(self.startTicks()).isPositive();
        assertThat(self.isAlive()).isTrue();
        // Same pid, another start time: the recorded owner died and its pid went to this process.
        ProcessIdentity earlier = new ProcessIdentity(self.pid(), self.startTicks() - 1, self.bootId(),
                self.pidNamespace());
        assertThat(earlier.isAlive()).isFalse();
        assertThat(new ProcessIdentity(self.pid(), self.startTicks(), "another-boot", self.pidNamespace()).isAlive())
                .isFalse();

        EmulationId id = EmulationId.fresh("owner");
        try {
            Files.createDirectories(id.stateDirectory());
            // An owner record without its lock (written, then the owner died): judged by pid and start time.
            Files.writeString(id.stateDirectory().resolve("owner"), self.pid() + "\nt\nstart="
                    + (self.startTicks() - 1) + "\nboot=" + self.bootId() + "\ncreated=" + Instant.now().toEpochMilli());
            EmulationRecord record = EmulationRecord.of(id);
            assertThat(record.state()).isEqualTo(EmulationRecord.State.HALF_BUILT);
            EmulationOwner.markBuilt(id);
            assertThat(EmulationRecord.of(id).state()).isEqualTo(EmulationRecord.State.ORPHANED);

            EmulationOwner.current("t").writeTo(id); // takes the lock
            assertThat(EmulationRecord.of(id).state()).isEqualTo(EmulationRecord.State.RUNNING);
            assertThat(EmulationRecord.of(id).owner().orElseThrow().topologyName()).isEqualTo("t");
        } finally {
            Cleaner.removeEmulation(id, line -> { });
        }
        assertThat(OwnerLock.isHeld(id)).isEmpty();
    }
}
