package net.mignet.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import net.mignet.kernel.ChildSpawn;
import net.mignet.kernel.NamespaceProcesses;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Apps' standard streams as pseudo-terminals, with pipes on request, and apps over adopted processes. */
class AppTerminalsTest {
    private static Emulation net;

    @BeforeAll
    static void network() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("python3");
        net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
    }

    @AfterAll
    static void teardown() {
        if (net != null) {
            net.close();
        }
    }

    private static List<String> python(String program) {
        return List.of("python3", "-c", program);
    }

    private static Optional<LogLine> await(App app, String text, Duration timeout) throws InterruptedException {
        return app.log().await(l -> l.text().equals(text), timeout);
    }

    @Test
    void plain_print_shows_at_once_with_streams_apart_and_as_printed() throws Exception {
        try (AppManager apps = new AppManager(net)) {
            // No flush, no -u: on a pipe this stays in Python's 8 KB buffer for the whole minute.
            App app = apps.deploy("printer", net.host("h1"), python("""
                    import sys, time
                    print("hello", "tab\\there")
                    print("oops", file=sys.stderr)
                    print("ttys", sys.stdin.isatty(), sys.stdout.isatty(), sys.stderr.isatty())
                    time.sleep(60)
                    """));
            long start = System.nanoTime();
            Optional<LogLine> first = await(app, "hello tab\there", Duration.ofSeconds(1));
            assertThat(first).as("the first line within 1 s, exactly as printed (no \\r added)").isPresent();
            System.out.printf("first line after %.1f ms%n", (System.nanoTime() - start) / 1e6);
            assertThat(first.get().stream()).isEqualTo(LogLine.Stream.STDOUT);
            Optional<LogLine> error = await(app, "oops", Duration.ofSeconds(5));
            assertThat(error).isPresent();
            assertThat(error.get().stream()).isEqualTo(LogLine.Stream.STDERR);
            assertThat(await(app, "ttys True True True", Duration.ofSeconds(5))).isPresent();
            assertThat(app.isRunning()).isTrue();
            assertThat(app.terminals()).extracting(AppTerminal::appFd).containsExactly(0, 1, 2);
            for (AppTerminal t : app.terminals()) {
                assertThat(t.slavePath()).startsWith("/dev/pts/");
                assertThat(t.criuKey()).matches("tty\\[[0-9a-f]+:[0-9a-f]+\\]");
                assertThat(Files.readSymbolicLink(Path.of("/proc/" + app.pid() + "/fd/" + t.appFd())))
                        .hasToString(t.slavePath());
            }
            assertThat(app.stop(Duration.ofSeconds(2))).isEqualTo(128 + 15);
        }
    }

    @Test
    void the_last_words_before_exit_are_in_the_log_when_awaitExit_returns() throws Exception {
        try (AppManager apps = new AppManager(net)) {
            App app = apps.deploy("brief", net.host("h2"), python("""
                    import sys
                    for i in range(2000):
                        print("line", i)
                    sys.stdout.write("no newline at the end")
                    sys.exit(7)
                    """));
            assertThat(app.awaitExit()).isEqualTo(7);
            List<String> texts = app.log().lines(LogLine.Stream.STDOUT).stream().map(LogLine::text).toList();
            assertThat(texts).hasSize(2001);
            assertThat(texts.getLast()).isEqualTo("no newline at the end");
        }
    }

    @Test
    void no_tty_gives_pipes() throws Exception {
        try (AppManager apps = new AppManager(net)) {
            App app = apps.deploy("piped", net.host("h1"), python("""
                    import sys
                    print("ttys", sys.stdin.isatty(), sys.stdout.isatty(), sys.stderr.isatty())
                    print("oops", file=sys.stderr)
                    """), DeployOptions.NO_TTY);
            assertThat(app.awaitExit()).isZero();
            assertThat(app.terminals()).isEmpty();
            assertThat(app.log().lines(LogLine.Stream.STDOUT)).extracting(LogLine::text)
                    .containsExactly("ttys False False False");
            assertThat(app.log().lines(LogLine.Stream.STDERR)).extracting(LogLine::text).containsExactly("oops");
        }
    }

    @Test
    void sendLine_reaches_a_program_reading_its_terminal_without_echo() throws Exception {
        for (DeployOptions options : List.of(DeployOptions.DEFAULT, DeployOptions.NO_TTY)) {
            try (AppManager apps = new AppManager(net)) {
                App app = apps.deploy("reader", net.host("h2"), python("""
                        import sys
                        print("ready", flush=True)
                        for line in sys.stdin:
                            print("got", line.strip(), flush=True)
                        """), options);
                assertThat(await(app, "ready", Duration.ofSeconds(10))).isPresent();
                app.sendLine("first");
                app.sendLine("second");
                assertThat(await(app, "got second", Duration.ofSeconds(5))).as(options.toString()).isPresent();
                assertThat(app.log().lines()).extracting(LogLine::text).as("nothing echoed back")
                        .containsExactly("ready", "got first", "got second");
                app.stop(Duration.ofSeconds(2));
            }
        }
    }

    @Test
    void apps_get_only_their_three_descriptors_lead_their_own_session_and_never_get_mignets_terminal()
            throws Exception {
        try (AppManager apps = new AppManager(net)) {
            // Reopening its terminal by path, as the counter service does with /proc/self/fd/0, may make the app's
            // own terminal its controlling terminal (it leads a session), never mignet's.
            App app = apps.deploy("fds", net.host("h1"), python("""
                    import os
                    reopened = open("/proc/self/fd/0", "rb")
                    fds = os.listdir("/proc/self/fd")
                    alive = sorted(int(f) for f in fds if os.path.exists("/proc/self/fd/" + f))
                    print("fds", alive)
                    tty_nr = int(open("/proc/self/stat").read().rsplit(")", 1)[1].split()[4])
                    print("tty_nr", tty_nr)
                    print("controlling terminal is none or its own", tty_nr in (0, os.fstat(0).st_rdev))
                    print("sid", os.getsid(0) == os.getpid(), "pgrp", os.getpgrp() == os.getpid())
                    """));
            assertThat(app.awaitExit()).isZero();
            List<String> texts = app.log().lines().stream().map(LogLine::text).toList();
            // 3 is the reopened terminal; the listing's own descriptor is gone by the time it is checked.
            assertThat(texts).contains("fds [0, 1, 2, 3]");
            assertThat(texts).contains("controlling terminal is none or its own True");
            String mine = controllingTerminal("self");
            if (!mine.equals("0")) {
                assertThat(texts).doesNotContain("tty_nr " + mine);
            }
            assertThat(texts).contains("sid True pgrp True");
        }
    }

    /** Field 7 of /proc/PID/stat: the controlling terminal's device number, 0 for none. */
    private static String controllingTerminal(String pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return stat.substring(stat.lastIndexOf(')') + 1).trim().split(" ")[4];
    }

    @Test
    void an_app_lives_in_its_host_namespace_from_the_moment_it_is_deployed() {
        try (AppManager apps = new AppManager(net)) {
            App app = apps.deploy("sleeper", net.host("h2"), List.of("sleep", "30"));
            assertThat(NamespaceProcesses.in(List.of(net.host("h2").namespace())))
                    .anySatisfy(m -> assertThat(m.pid()).isEqualTo(app.pid()));
            App piped = apps.deploy("piped-sleeper", net.host("h1"), List.of("sleep", "30"), DeployOptions.NO_TTY);
            assertThat(NamespaceProcesses.in(List.of(net.host("h1").namespace())))
                    .as("an nsenter still entering counts as inside")
                    .anySatisfy(m -> assertThat(m.pid()).isEqualTo(piped.pid()));
            assertThat(apps.remove("sleeper")).isEqualTo(128 + 15);
            assertThat(apps.remove("piped-sleeper")).isEqualTo(128 + 15);
        }
    }

    @Test
    void a_restored_copy_is_adopted_and_its_log_goes_on() throws Exception {
        try (AppManager apps = new AppManager(net)) {
            String ticker = """
                    import sys, time
                    i = int(sys.argv[1])
                    while True:
                        print("tick", i)
                        i += 1
                        time.sleep(0.05)
                    """;
            App old = apps.deploy("ticker", net.host("h1"), List.of("python3", "-c", ticker, "0"));
            assertThat(await(old, "tick 3", Duration.ofSeconds(10))).isPresent();
            // What a checkpoint does: CRIU kills the process on the source after dumping it ...
            ProcessHandle.of(old.pid()).orElseThrow().destroyForcibly();
            assertThat(old.awaitExit(Duration.ofSeconds(5))).isTrue();
            // ... and restores a copy on the target, attached to the same terminal slaves, as a child of ours.
            int[] stdio = old.terminals().stream().mapToInt(AppTerminal::mignetFd).toArray();
            long copy = ChildSpawn.inNetworkNamespace(net.host("h2").namespace(),
                    List.of("python3", "-c", ticker, "1000"), Map.of("PATH", System.getenv("PATH")), stdio);
            App restored = apps.adoptRestored(old, net.host("h2"), copy);

            assertThat(await(restored, "tick 1003", Duration.ofSeconds(10))).as("the same log goes on").isPresent();
            assertThat(restored.log()).isSameAs(old.log());
            assertThat(apps.get("ticker")).isSameAs(restored);
            assertThat(restored.host().name()).isEqualTo("h2");
            assertThat(restored.terminals()).isEqualTo(old.terminals());
            assertThat(old.isRunning()).isFalse();
            old.stop(Duration.ofMillis(100));
            assertThat(restored.isRunning()).as("stopping the old instance signals nothing").isTrue();
            assertThat(restored.stop(Duration.ofSeconds(2))).isEqualTo(128 + 15);
        }
    }

    @Test
    void an_orphan_an_app_left_comes_to_mignet_and_can_be_adopted_with_its_status() throws Exception {
        try (AppManager apps = new AppManager(net)) {
            // The shell exits at once, so its background sleep is an orphan, which comes to mignet (the subreaper
            // of what it starts) rather than to the machine's init: its status can be known. The sleep leads a
            // session of its own: the shell leads the app's session, and the kernel hangs up that session's
            // processes when it exits, as a terminal does with a login shell's jobs. So the shell exits only once
            // the child's session is its own (field 6 of its stat), or the hang-up can come before setsid ran.
            App shell = apps.deploy("orphan", net.host("h1"), List.of("bash", "-c", "setsid sleep 30 & p=$!;"
                    + " while read -r _ _ _ _ _ sid _ < /proc/$p/stat && [ \"$sid\" != \"$p\" ]; do :; done;"
                    + " echo $p"));
            assertThat(shell.awaitExit()).isZero();
            long orphan = Long.parseLong(shell.log().lines().getFirst().text().trim());
            App adopted = apps.adoptRestored(shell, net.host("h1"), orphan);
            assertThat(adopted.isRunning()).isTrue();
            assertThat(adopted.stop(Duration.ofSeconds(2))).as("128 + SIGTERM").isEqualTo(128 + 15);
            assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
        }
    }

    @Test
    void closing_the_manager_leaves_no_descriptor_open() throws Exception {
        long before = openDescriptors();
        try (AppManager apps = new AppManager(net)) {
            for (int i = 0; i < 5; i++) {
                apps.deploy("short" + i, net.host("h1"), List.of("echo", "hi " + i)).awaitExit();
                apps.deploy("long" + i, net.host("h2"), List.of("sleep", "30"));
            }
            apps.deploy("piped", net.host("h2"), List.of("sleep", "30"), DeployOptions.NO_TTY);
            assertThat(terminalDescriptors()).isGreaterThanOrEqualTo(10 * 6);
        }
        assertThat(terminalDescriptors()).isZero();
        assertThat(openDescriptors()).isEqualTo(before);
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count() - 1; // the listing's own
        }
    }

    private static long terminalDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(AppTerminalsTest::target).filter(t -> t.startsWith("/dev/pts/") || t.equals("/dev/ptmx"))
                    .count();
        }
    }

    private static String target(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
            return "";
        }
    }
}
