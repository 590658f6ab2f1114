package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a stand-in sysctl and state root: a raise is recorded so that the clean-up of an emulation whose owner was
 * killed puts the machine's value back, and emulations that raise it at once share it (the tester's report: after a
 * kill -9 during a lazy migration, fs.pipe-max-size stayed raised and the next raise took it for the original).
 */
class SysctlClaimsTest {
    private static final EmulationId A = new EmulationId("a");
    private static final EmulationId B = new EmulationId("b");

    @TempDir
    Path dir;
    private Path sysctl;
    private final Set<EmulationId> alive = new HashSet<>();
    private final List<String> log = new ArrayList<>();
    private SysctlClaims claims;

    @BeforeEach
    void machine() throws Exception {
        sysctl = Files.writeString(dir.resolve("pipe-max-size"), "100\n");
        Files.createDirectories(dir.resolve("run/a"));
        Files.createDirectories(dir.resolve("run/b"));
        claims = new SysctlClaims(dir.resolve("run"), alive::contains);
        alive.addAll(List.of(A, B));
    }

    @Test
    void a_raise_is_put_back_when_it_ends() {
        SysctlClaims.Hold hold = claims.raise(A, sysctl, 200, log::add).orElseThrow();
        assertThat(hold.wrote()).isTrue();
        assertThat(SysctlFloor.read(sysctl)).isEqualTo(200);
        hold.close();
        assertThat(SysctlFloor.read(sysctl)).isEqualTo(100);
        assertThat(claims.claims(sysctl)).isEmpty();
    }

    @Test
    void the_clean_up_of_a_killed_owner_puts_the_machines_value_back() {
        claims.raise(A, sysctl, 200, log::add).orElseThrow(); // never closed: kill -9
        alive.remove(A);
        claims.release(A, Set.of("a"), log::add);
        assertThat(SysctlFloor.read(sysctl)).isEqualTo(100);
        assertThat(log).singleElement().asString().startsWith("*** put ")
                .endsWith("pipe-max-size back to 100 (raised to 200 for a migration of a)");
        assertThat(claims.claims(sysctl)).isEmpty();
    }

    @Test
    void a_raise_after_a_killed_owners_takes_the_machines_value_from_its_record() {
        claims.raise(A, sysctl, 200, log::add).orElseThrow();
        alive.remove(A);
        SysctlClaims.Hold next = claims.raise(B, sysctl, 200, log::add).orElseThrow();
        assertThat(next.wrote()).isFalse();
        assertThat(next.original()).as("the machine's, not the value A left").isEqualTo(100);
        next.close(); // A's owner is dead: nothing holds it up
        assertThat(SysctlFloor.read(sysctl)).isEqualTo(100);
        claims.release(A, Set.of("a"), log::add);
        assertThat(SysctlFloor.read(sysctl)).isEqualTo(100);
    }

    @Test
    void the_clean_up_of_a_killed_owner_leaves_it_raised_while_a_live_emulation_migrates_with_it() {
        claims.raise(A, sysctl, 200, log::add).orElseThrow();
        SysctlClaims.Hold live = claims.raise(B, sysctl, 200, log::add).orElseThrow();
        alive.remove(A);
        claims.release(A, Set.of("a"), log::add);
        assertThat(SysctlFloor.read(sysctl)).isEqualTo(200);
        assertThat(log).singleElement().asString().contains("emulation(s) b still migrate with it");
        live.close();
        assertThat(SysctlFloor.read(sysctl)).isEqualTo(100);
    }

    @Test
    void the_first_to_end_of_two_live_raises_leaves_it_to_the_other() {
        SysctlClaims.Hold first = claims.raise(A, sysctl, 200, log::add).orElseThrow();
        SysctlClaims.Hold second = claims.raise(B, sysctl, 200, log::add).orElseThrow();
        first.close();
        assertThat(SysctlFloor.read(sysctl)).isEqualTo(200);
        second.close();
        assertThat(SysctlFloor.read(sysctl)).isEqualTo(100);
    }

    @Test
    void a_value_changed_by_someone_else_is_left_as_it_is() throws Exception {
        claims.raise(A, sysctl, 200, log::add).orElseThrow();
        Files.writeString(sysctl, "300\n");
        alive.remove(A);
        claims.release(A, Set.of("a"), log::add);
        assertThat(SysctlFloor.read(sysctl)).isEqualTo(300);
        assertThat(log).singleElement().asString().contains("someone changed it since");
    }

    @Test
    void a_machine_value_high_enough_needs_no_raise_and_no_record() throws Exception {
        Files.writeString(sysctl, "300\n");
        Optional<SysctlClaims.Hold> hold = claims.raise(A, sysctl, 200, log::add);
        assertThat(hold).isEmpty();
        assertThat(claims.claims(sysctl)).isEmpty();
    }
}
