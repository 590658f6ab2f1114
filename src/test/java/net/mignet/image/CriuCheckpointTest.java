package net.mignet.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.mignet.flow.FlowRule;
import net.mignet.flow.FlowRuleParser;
import net.mignet.kernel.Command;
import net.mignet.kernel.CommandResult;
import net.mignet.kernel.Criu;
import net.mignet.kernel.CriuDumpOptions;
import net.mignet.kernel.CriuEndpoint;
import net.mignet.kernel.CriuProcess;
import net.mignet.kernel.CriuRestoreOptions;
import net.mignet.kernel.CriuRestoreOptions.InheritedTerminal;
import net.mignet.kernel.CriuTty;
import net.mignet.kernel.PipeSizeLimit;
import net.mignet.net.Emulation;
import net.mignet.net.Host;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.YamlTopologyLoader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Checkpoint and restore of an unmodified program between two emulated hosts of the reference scenario (h2 and
 * h3 share the service address 10.0.0.12; their internal addresses 192.168.0.12 and .13 carry the pages), with
 * its standard input, output and error on three pseudo-terminals that stay with the test.
 */
class CriuCheckpointTest {
    private static final String SERVER = """
            import socket, sys
            ballast = bytearray(int(sys.argv[3]) * 1024 * 1024)
            for i in range(0, len(ballast), 4096):
                ballast[i] = 1
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((sys.argv[1], int(sys.argv[2])))
            print("listening", flush=True)
            n = 0
            while True:
                data, peer = s.recvfrom(100)
                n += 1
                print("count", n, flush=True)
                print("served", n, file=sys.stderr, flush=True)
                s.sendto(str(n).encode(), peer)
            """;
    private static final String QUERY = """
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(5)
            s.sendto(b"?", ("10.0.0.12", 8888))
            print(s.recvfrom(100)[0].decode())
            """;
    private static final Pattern RX_BYTES = Pattern.compile("\"rx\":\\{\"bytes\":(\\d+)");

    private CriuInstallation installation;

    @BeforeEach
    void needs() {
        installation = CriuInstallationTest.criuOrSkip();
        KernelAssumptions.assumeTool("nft");
    }

    @Test
    void a_udp_counter_on_terminals_moves_from_h2_to_h3_with_its_pages_over_the_state_network() throws Exception {
        Criu criu = installation.criu();
        Path work = Files.createTempDirectory(Path.of("/var/tmp"), "mignet-criu-");
        Path script = Files.writeString(work.resolve("server.py"), SERVER);
        long restoredPid = 0;
        Process server = null;
        try (Emulation net = Emulation.start(YamlTopologyLoader.load(Path.of("examples/service-migration.yaml")));
                TestTerminal in = new TestTerminal(); TestTerminal out = new TestTerminal();
                TestTerminal err = new TestTerminal()) {
            Host h1 = net.host("h1");
            Host h2 = net.host("h2");
            Host h3 = net.host("h3");
            server = onTerminals(new ProcessBuilder("setsid", "nsenter", "--net=/run/netns/" + h2.namespace(),
                    "python3", script.toString(), "10.0.0.12", "8888", "0"), in, out, err).start();
            long pid = server.pid();
            assertThat(out.await("listening"::equals, Duration.ofSeconds(10))).as("%s", out.lines()).isTrue();
            assertThat(query(h1)).isEqualTo("1");
            assertThat(out.await("count 1"::equals, Duration.ofSeconds(5))).isTrue();
            assertThat(err.await("served 1"::equals, Duration.ofSeconds(5))).isTrue();

            Path dumped = work.resolve("h2-images");
            Path received = work.resolve("h3-images");
            CriuEndpoint pageServer = new CriuEndpoint("192.168.0.13", 27027);
            long stateBytes = rxBytes(h3, "h3-s1-int");
            long t0 = System.nanoTime();
            Duration dump;
            try (CriuProcess ps = criu.startPageServer(h3.namespace(), received, pageServer,
                    work.resolve("page-server.log"))) {
                dump = criu.dump(CriuDumpOptions.of(pid, h2.namespace(), dumped)
                        .withExternalTtys(List.of(CriuTty.of(in.slavePath()), CriuTty.of(out.slavePath()),
                                CriuTty.of(err.slavePath())))
                        .withPageServer(pageServer));
                ps.awaitExit(Duration.ofSeconds(10));
            }
            stateBytes = rxBytes(h3, "h3-s1-int") - stateBytes;
            assertThat(server.waitFor()).as("criu killed the dumped server").isEqualTo(137);
            long t1 = System.nanoTime();
            long copied = Criu.copyImages(dumped, received);
            long t2 = System.nanoTime();
            Criu.Restored restored = criu.restore(CriuRestoreOptions.of(received, h3.namespace())
                    .withTerminals(List.of(InheritedTerminal.of(0, in.slavePath()),
                            InheritedTerminal.of(1, out.slavePath()), InheritedTerminal.of(2, err.slavePath()))));
            long t3 = System.nanoTime();
            restoredPid = restored.pid();
            redirect(net, "s1-h3");

            assertThat(Command.run(List.of("ip", "netns", "identify", Long.toString(restoredPid))).stdout().strip())
                    .isEqualTo(h3.namespace());
            assertThat(query(h1)).as("the counter goes on in h3").isEqualTo("2");
            assertThat(out.await("count 2"::equals, Duration.ofSeconds(5))).as("%s", out.lines()).isTrue();
            assertThat(err.await("served 2"::equals, Duration.ofSeconds(5))).as("%s", err.lines()).isTrue();
            assertThat(query(h1)).isEqualTo("3");
            long pagesBytes = sizeOf(received, "pages-");
            System.out.printf("criu plain migration of a small Python UDP server (pid %d -> %d): dump %.1f ms"
                            + " (pages %d KiB sent through the page server, %d KiB on h3's state link), copy of"
                            + " the other images %.1f ms (%d KiB), restore %.1f ms; frozen %.1f ms in all%n",
                    pid, restoredPid, dump.toNanos() / 1e6, pagesBytes / 1024, stateBytes / 1024,
                    (t2 - t1) / 1e6, copied / 1024, (t3 - t2) / 1e6, (t3 - t0) / 1e6);
            assertThat(pagesBytes).isPositive();
            assertThat(stateBytes).as("pages travelled over h3's state link").isGreaterThanOrEqualTo(pagesBytes);

            // Back to h2 with every image written locally and copied, for comparison: no page server.
            Path local = work.resolve("h3-local");
            long t4 = System.nanoTime();
            Duration localDump = criu.dump(CriuDumpOptions.of(restoredPid, h3.namespace(), local)
                    .withExternalTtys(List.of(CriuTty.of(in.slavePath()), CriuTty.of(out.slavePath()),
                            CriuTty.of(err.slavePath()))));
            TestChildren.killAndReap(restoredPid); // criu killed it; reaping frees its pid for the copy
            long t5 = System.nanoTime();
            long all = Criu.copyImages(local, work.resolve("h2-local"));
            long t6 = System.nanoTime();
            restoredPid = criu.restore(CriuRestoreOptions.of(work.resolve("h2-local"), h2.namespace())
                    .withTerminals(List.of(InheritedTerminal.of(0, in.slavePath()),
                            InheritedTerminal.of(1, out.slavePath()), InheritedTerminal.of(2, err.slavePath()))))
                    .pid();
            long t7 = System.nanoTime();
            redirect(net, "s1-h2");
            assertThat(query(h1)).as("the counter goes on back in h2").isEqualTo("4");
            assertThat(out.await("count 4"::equals, Duration.ofSeconds(5))).as("%s", out.lines()).isTrue();
            System.out.printf("criu plain migration back without a page server: dump to local images %.1f ms,"
                            + " copy %.1f ms (%d KiB), restore %.1f ms; frozen %.1f ms in all%n",
                    localDump.toNanos() / 1e6, (t6 - t5) / 1e6, all / 1024, (t7 - t6) / 1e6, (t7 - t4) / 1e6);
        } finally {
            if (restoredPid > 0) {
                TestChildren.killAndReap(restoredPid);
            }
            if (server != null) {
                server.destroyForcibly();
            }
            CriuRootBuilder.deleteTree(work);
        }
    }

    @Test
    void post_copy_freezes_a_256_mb_process_for_a_small_part_of_a_plain_dump() throws Exception {
        Criu criu = installation.criu();
        Capability lazy = installation.lazyPages();
        if (!lazy.supported()) {
            System.err.println("SKIPPED: " + lazy.reason());
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(lazy.supported(), lazy.reason());
        Path work = Files.createTempDirectory(Path.of("/var/tmp"), "mignet-criu-lazy-");
        Path script = Files.writeString(work.resolve("server.py"), SERVER);
        long[] restored = new long[2];
        Process launcher = null;
        PipeSizeLimit pipesRaised = null;
        try (Emulation net = Emulation.start(YamlTopologyLoader.load(Path.of("examples/service-migration.yaml")));
                TestTerminal in = new TestTerminal(); TestTerminal out = new TestTerminal();
                TestTerminal err = new TestTerminal()) {
            // criu's lazy page server needs larger pipes than a process without CAP_SYS_RESOURCE may make.
            pipesRaised = PipeSizeLimit.raise(net.id(), PipeSizeLimit.FOR_LAZY_PAGES, System.out::println);
            Host h1 = net.host("h1");
            Host h2 = net.host("h2");
            Host h3 = net.host("h3");
            // Its own pid namespace: a lazy dump keeps the frozen original (and its pid) until every page has been
            // fetched, so the copy must be able to have the same pid beside it.
            launcher = onTerminals(new ProcessBuilder("nsenter", "--net=/run/netns/" + h2.namespace(), "unshare",
                    "--pid", "--fork", "setsid", "python3", script.toString(), "10.0.0.12", "8888", "256"),
                    in, out, err).start();
            assertThat(out.await("listening"::equals, Duration.ofSeconds(20))).as("%s", out.lines()).isTrue();
            long pid = launcher.toHandle().children().findFirst().orElseThrow().pid();
            long rss = rssKib(pid);
            assertThat(query(h1)).isEqualTo("1");
            List<CriuTty> ttys = List.of(CriuTty.of(in.slavePath()), CriuTty.of(out.slavePath()),
                    CriuTty.of(err.slavePath()));
            List<InheritedTerminal> terminals = List.of(InheritedTerminal.of(0, in.slavePath()),
                    InheritedTerminal.of(1, out.slavePath()), InheritedTerminal.of(2, err.slavePath()));

            // Plain: every page crosses the state network while the process is frozen.
            CriuEndpoint toH3 = new CriuEndpoint("192.168.0.13", 27027);
            long t0 = System.nanoTime();
            try (CriuProcess ps = criu.startPageServer(h3.namespace(), work.resolve("plain-h3"), toH3,
                    work.resolve("plain-page-server.log"))) {
                criu.dump(CriuDumpOptions.of(pid, h2.namespace(), work.resolve("plain-h2")).withExternalTtys(ttys)
                        .withPageServer(toH3));
                ps.awaitExit(Duration.ofSeconds(30));
            }
            launcher.waitFor();
            Criu.copyImages(work.resolve("plain-h2"), work.resolve("plain-h3"));
            restored[0] = criu.restore(CriuRestoreOptions.of(work.resolve("plain-h3"), h3.namespace())
                    .withTerminals(terminals)).pid();
            long plainFreeze = System.nanoTime() - t0;
            redirect(net, "s1-h3");
            assertThat(query(h1)).isEqualTo("2");

            // Post-copy: only the process's state and its page map move while it is frozen; h2 then fetches the
            // pages from h3 as they are touched, and the rest in the background.
            CriuEndpoint fromH3 = new CriuEndpoint("192.168.0.13", 27028);
            long t1 = System.nanoTime();
            long freeze;
            long allPages;
            try (CriuProcess dump = criu.startLazyDump(CriuDumpOptions.of(restored[0], h3.namespace(),
                    work.resolve("lazy-h3")).withExternalTtys(ttys).withLazyPages(fromH3))) {
                Criu.copyImages(work.resolve("lazy-h3"), work.resolve("lazy-h2"));
                try (CriuProcess daemon = criu.startLazyPagesDaemon(h2.namespace(), work.resolve("lazy-h2"), fromH3,
                        work.resolve("lazy-pages.log"))) {
                    restored[1] = criu.restore(CriuRestoreOptions.of(work.resolve("lazy-h2"), h2.namespace())
                            .withTerminals(terminals).withLazyPages(true)).pid();
                    freeze = System.nanoTime() - t1;
                    redirect(net, "s1-h2");
                    assertThat(query(h1)).as("served from h2 while its pages arrive").isEqualTo("3");
                    daemon.awaitExit(Duration.ofSeconds(60));
                }
                dump.awaitExit(Duration.ofSeconds(60));
                allPages = System.nanoTime() - t1;
            }
            TestChildren.killAndReap(restored[0]); // reaps the original, which the lazy dump has killed
            restored[0] = 0;
            assertThat(query(h1)).isEqualTo("4");
            assertThat(out.await("count 4"::equals, Duration.ofSeconds(5))).as("%s", out.lines()).isTrue();
            System.out.printf("criu with a %d MiB process (RSS): plain dump+restore freezes it %.0f ms; post-copy"
                            + " freezes it %.0f ms (%.0f%% of plain), all its pages arrived after %.0f ms%n",
                    rss / 1024, plainFreeze / 1e6, freeze / 1e6, 100.0 * freeze / plainFreeze, allPages / 1e6);
            assertThat(freeze).as("post-copy freeze against plain").isLessThan(plainFreeze / 2);
        } finally {
            for (long pid : restored) {
                if (pid > 0) {
                    TestChildren.killAndReap(pid);
                }
            }
            if (launcher != null) {
                launcher.destroyForcibly();
            }
            if (pipesRaised != null) {
                pipesRaised.close();
            }
            CriuRootBuilder.deleteTree(work);
        }
    }

    private static ProcessBuilder onTerminals(ProcessBuilder pb, TestTerminal in, TestTerminal out,
            TestTerminal err) {
        return pb.redirectInput(ProcessBuilder.Redirect.from(in.slavePath().toFile()))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.slavePath().toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(err.slavePath().toFile()));
    }

    private static String query(Host client) {
        CommandResult r = client.exec(List.of("python3", "-c", QUERY), Duration.ofSeconds(10));
        assertThat(r.exitCode()).as("query from %s: %s", client, r.stderr()).isZero();
        return r.stdout().strip();
    }

    private static void redirect(Emulation net, String port) {
        FlowRule rule = FlowRuleParser.parse("in_port=s1-h1 actions=output:" + port);
        assertThat(net.switchNamed("s1").flowTable().modify(rule.match(), null, rule.action())).isEqualTo(1);
    }

    private static long rxBytes(Host host, String device) {
        String json = Command.check(List.of("ip", "-n", host.namespace(), "-j", "-s", "link", "show", "dev", device))
                .stdout();
        Matcher m = RX_BYTES.matcher(json.replace(" ", ""));
        assertThat(m.find()).as("rx bytes in %s", json).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static long sizeOf(Path dir, String prefix) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sum();
        }
    }

    private static long rssKib(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(0);
    }
}
