package net.mignet.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import net.mignet.kernel.CriuKdatCache;
import net.mignet.kernel.CriuLog;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** criu's kernel cache is in place for every criu run, also where /run is no tmpfs; criu's logs tell its time. */
class CriuKdatCacheTest {
    @Test
    void every_criu_run_finds_a_kernel_cache_of_this_boot() throws Exception {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeCriu();
        CriuKdatCache.Outcome o = CriuKdatCache.ensure(CriuInstallation.find().installation().criu().command());
        System.out.println(o.said());
        assertThat(o.cached()).as(o.said()).isTrue();
        if (!Files.getFileStore(Path.of("/run")).type().equals("tmpfs")) {
            Path cache = Path.of("/run/criu.kdat");
            assertThat(cache).isRegularFile();
            assertThat(Files.getLastModifiedTime(cache).toInstant()).isAfter(bootTime());
            // criu reads it: its log says so instead of probing the kernel again.
            Path log = Files.createTempFile("criu-check", ".log");
            try {
                CriuInstallation.find().installation().criu().run(java.util.List.of("check", "-v4", "-o",
                        log.toString()), Duration.ofSeconds(30));
                assertThat(Files.readString(log)).contains("Loaded kdat cache from /run/criu.kdat");
            } finally {
                Files.deleteIfExists(log);
            }
        }
    }

    @Test
    void criu_log_times_are_read_from_the_stamps(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("dump.log");
        Files.writeString(log, """
                (00.000000) CRIU run id = x
                (00.001500) Running pre-dump scripts
                (00.001510) \t[/run/mignet/x/dump-gate.sh]
                (00.250000) Dumping processes
                (00.262250) Dumping finished successfully
                """);
        assertThat(CriuLog.elapsed(log)).contains(Duration.ofNanos(262_250_000));
        assertThat(CriuLog.elapsedAfter(log, "pre-dump scripts")).contains(Duration.ofNanos(12_250_000));
        assertThat(CriuLog.elapsedAfter(log, "no such line")).contains(Duration.ofNanos(262_250_000));
        assertThat(CriuLog.elapsed(dir.resolve("missing.log"))).isEmpty();
    }

    private static Instant bootTime() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
            if (line.startsWith("btime ")) {
                return Instant.ofEpochSecond(Long.parseLong(line.substring(6).strip()));
            }
        }
        throw new IllegalStateException("no btime in /proc/stat");
    }
}
