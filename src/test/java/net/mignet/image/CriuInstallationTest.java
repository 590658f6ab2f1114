package net.mignet.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import net.mignet.kernel.Criu;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.Test;

class CriuInstallationTest {

    /** The machine's criu, or the test is skipped with the reason printed. */
    static CriuInstallation criuOrSkip() {
        KernelAssumptions.assumeRoot();
        CriuLookup lookup = CriuInstallation.find();
        if (!lookup.isAvailable()) {
            System.err.println("SKIPPED: no working criu: " + lookup.unavailableReason());
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(lookup.isAvailable(), () -> lookup.unavailableReason());
        return lookup.installation();
    }

    @Test
    void a_machine_that_can_build_a_root_has_a_working_criu() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("mmdebstrap");
        CriuLookup lookup = CriuInstallation.find();
        assertThat(lookup.isAvailable()).as("%s", lookup).isTrue();
        CriuInstallation criu = lookup.installation();
        assertThat(criu.version().atLeast(CriuInstallation.MINIMUM)).isTrue();
        assertThat(criu.criu().check().passed()).isTrue();
        System.out.println("found " + criu);
    }

    @Test
    void two_builders_at_once_build_one_root_and_both_use_it() throws Exception {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("mmdebstrap");
        Path cache = Files.createTempDirectory(Path.of("/var/tmp"), "mignet-criu-cache-");
        try {
            List<String> log = Collections.synchronizedList(new ArrayList<>());
            CyclicBarrier start = new CyclicBarrier(2);
            List<CompletableFuture<CriuLookup>> both = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                both.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return CriuInstallation.fromCachedRoot(cache, log::add, new ArrayList<>());
                }, r -> Thread.ofPlatform().start(r)));
            }
            long t0 = System.nanoTime();
            List<CriuLookup> results = both.stream().map(CompletableFuture::join).toList();
            System.out.printf("criu root built in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            log.forEach(System.out::println);
            assertThat(results).allSatisfy(r -> assertThat(r.isAvailable()).as("%s", r).isTrue());
            assertThat(results.get(0).installation().origin()).isEqualTo(results.get(1).installation().origin());
            assertThat(log.stream().filter(l -> l.startsWith("criu root: building"))).hasSize(1);
            assertThat(log).anyMatch(l -> l.startsWith("criu root: I:"));
            try (var left = Files.list(cache)) {
                assertThat(left.map(p -> p.getFileName().toString()))
                        .containsExactlyInAnyOrder("criu-root", "criu-root.lock");
            }
            assertThat(results.get(0).installation().version().atLeast(CriuInstallation.MINIMUM)).isTrue();
        } finally {
            CriuRootBuilder.deleteTree(cache);
        }
    }

    @Test
    void pre_dump_rounds_are_refused_with_the_reason_where_the_kernel_has_no_dirty_tracking() {
        CriuInstallation criu = criuOrSkip();
        Criu.Check tracking = criu.criu().checkFeature("mem_dirty_track");
        Capability rounds = criu.checkpointRounds();
        System.out.println(rounds);
        assertThat(rounds.supported()).isEqualTo(tracking.passed());
        if (!rounds.supported()) {
            assertThat(rounds.reason()).startsWith("checkpoint pre-dump rounds unsupported here because")
                    .contains("CONFIG_MEM_SOFT_DIRTY").contains("mem_dirty_track")
                    .contains("Dirty tracking is OFF");
        }
    }

    @Test
    void lazy_pages_follow_userfaultfd() {
        CriuInstallation criu = criuOrSkip();
        Capability lazy = criu.lazyPages();
        System.out.println(lazy);
        assertThat(lazy.supported()).isEqualTo(criu.criu().checkFeature("uffd").passed()
                && criu.criu().checkFeature("uffd-noncoop").passed());
    }
}
