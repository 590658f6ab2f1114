package net.mignet.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.mignet.kernel.ImageTransfer;
import net.mignet.kernel.PrecopyTransfer;
import net.mignet.kernel.ResidentPages;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pre-copy transfer between two emulated hosts: the target rebuilds a page file byte for byte from pages it
 * was sent while the process ran plus those sent at the end, whatever the file's order, and pages it never saw
 * or that changed cross the network in full.
 */
class PrecopyTransferTest {
    private static final int PAGE = ResidentPages.PAGE;

    @BeforeEach
    void needs() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("python3");
    }

    @Test
    void pages_in_another_order_are_rebuilt_by_copying(@TempDir Path dir) throws Exception {
        transfer(dir, pages -> {
            List<byte[]> dumped = new ArrayList<>(pages.subList(100, pages.size()));
            dumped.addAll(pages.subList(0, 100));
            return dumped;
        }, false);
    }

    @Test
    void pages_in_their_order_take_the_place_of_the_pre_copied_ones(@TempDir Path dir) throws Exception {
        // The last pre-copied page is gone from the dump (unmapped meanwhile), so the file is shorter.
        transfer(dir, pages -> new ArrayList<>(pages.subList(0, pages.size() - 1)), true);
    }

    /**
     * Pre-copies a process's pages, then sends a "dump" whose page file is {@code layout} of them with one page
     * changed and three new ones (at the end when {@code inPlace}, else in the middle), and a small file.
     */
    private static void transfer(Path dir, java.util.function.UnaryOperator<List<byte[]>> layout, boolean inPlace)
            throws Exception {
        // A process with 2 MiB of its own pages, idle (blocked reading its input) while they are read.
        Process p = new ProcessBuilder("python3", "-c", """
                import os, sys
                m = bytearray(os.urandom(2 << 20))
                print("ready", flush=True)
                sys.stdin.read()
                """).start();
        try (Emulation net = Emulation.start(MigrationTest.scenario())) {
            assertThat(new String(p.getInputStream().readNBytes(6))).isEqualTo("ready\n");
            List<byte[]> pages = residentPages(p.pid());
            assertThat(pages.size()).isGreaterThan(512);

            Random random = new Random(42);
            List<byte[]> dumped = layout.apply(pages);
            byte[] changed = dumped.get(7).clone();
            changed[123] ^= 0x5a;
            dumped.set(7, changed);
            for (int i = 0; i < 3; i++) {
                byte[] fresh = new byte[PAGE];
                random.nextBytes(fresh);
                dumped.add(inPlace ? dumped.size() : 200 + i, fresh);
            }
            Path source = Files.createDirectories(dir.resolve("h2"));
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            dumped.forEach(file::writeBytes);
            Files.write(source.resolve("pages-1.img"), file.toByteArray());
            byte[] core = new byte[2757];
            random.nextBytes(core);
            Files.write(source.resolve("core-42.img"), core);
            Files.writeString(source.resolve("dump.log"), "not sent");
            // Not a whole number of pages: sent as it is.
            Files.write(source.resolve("pages-2.img"), new byte[] {1, 2, 3});

            Path target = dir.resolve("h3");
            try (PrecopyTransfer t = PrecopyTransfer.open(net.host("h2").namespace(), net.host("h3").namespace(),
                    "192.168.0.13", target, 1L << 30)) {
                PrecopyTransfer.Precopied pre = t.precopy(List.of(p.pid()));
                assertThat(pre.pages()).isGreaterThanOrEqualTo(pages.size() - 8);
                assertThat(pre.bytes()).isGreaterThanOrEqualTo((long) pre.pages() * PAGE);
                ImageTransfer.Sent sent = t.send(source);
                System.out.println("pre-copied " + pre.bytes() + " bytes; at the end " + sent.bytes() + " bytes for a "
                        + file.size() + "-byte page file: " + t.lastSendBreakdown());

                assertThat(sent.files()).isEqualTo(3);
                for (String name : List.of("pages-1.img", "pages-2.img", "core-42.img")) {
                    assertThat(Files.readAllBytes(target.resolve(name))).as(name)
                            .isEqualTo(Files.readAllBytes(source.resolve(name)));
                }
                assertThat(target.resolve("dump.log")).doesNotExist();
                assertThat(t.lastSendBreakdown().contains("took the pre-copied pages' place")).isEqualTo(inPlace);
                // The four new or changed pages, the small files and the references: far less than the file.
                assertThat(sent.bytes()).isGreaterThan(4L * PAGE + core.length).isLessThan(file.size() / 10);
            }
            try (var left = Files.list(dir)) {
                assertThat(left.map(f -> f.getFileName().toString())).as("the pre-copied pages are gone")
                        .containsExactlyInAnyOrder("h2", "h3");
            }
        } finally {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** The pages a dump of {@code pid} would hold, read as the pre-copy reads them. */
    private static List<byte[]> residentPages(long pid) throws IOException {
        List<byte[]> pages = new ArrayList<>();
        try (RandomAccessFile mem = new RandomAccessFile("/proc/" + pid + "/mem", "r")) {
            for (ResidentPages.Run run : ResidentPages.of(pid)) {
                for (int i = 0; i < run.pages(); i++) {
                    byte[] page = new byte[PAGE];
                    mem.seek(run.address() + (long) i * PAGE);
                    mem.readFully(page);
                    pages.add(page);
                }
            }
        }
        return pages;
    }
}
