package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.mignet.app.AppManager;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code source FILE}: a file's lines run as if typed, each echoed, stopped by the first error with FILE:LINE. */
class SourceCommandTest {
    private static Emulation net;
    private static AppManager apps;
    private static Shell shell;

    @TempDir
    Path dir;

    @BeforeAll
    static void network() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
        KernelAssumptions.assumeTool("setsid");
        net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
        apps = new AppManager(net);
        shell = new Shell(net, new CoreCommands(net, apps));
    }

    @AfterAll
    static void tearDown() {
        if (apps != null) {
            apps.close();
        }
        if (net != null) {
            net.close();
        }
    }

    private static String run(String line) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        shell.execute(line, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private Path file(String name, String... lines) throws IOException {
        return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
    }

    @Test
    void runs_the_lines_in_order_each_echoed_skipping_blank_lines_and_comments() throws IOException {
        Path f = file("session.txt", "# set-up", "", "sh echo one", "   # indented comment", "h1 echo two h2",
                "  sh exit 4", "sh echo three");
        assertThat(run("source " + f)).isEqualTo("""
                mignet> sh echo one
                one
                mignet> h1 echo two h2
                two 10.0.0.2
                mignet> sh exit 4
                (exit 4)
                mignet> sh echo three
                three
                """);
    }

    @Test
    void the_first_error_stops_the_file_with_its_file_and_line() throws IOException {
        Path f = file("broken.txt", "sh echo before", "", "nosuchverb x", "sh echo after");
        assertThat(run("source " + f)).isEqualTo("mignet> sh echo before\nbefore\nmignet> nosuchverb x\n*** " + f
                + ":3: unknown command 'nosuchverb': type help for the list, or a host name followed by a command\n");
        Path outer = file("outer.txt", "sh echo outer", "source " + f, "sh echo outer-after");
        assertThat(run("source " + outer)).startsWith("mignet> sh echo outer\nouter\nmignet> source " + f)
                .endsWith("*** " + outer + ":2: " + f + ":3: unknown command 'nosuchverb': type help for the list,"
                        + " or a host name followed by a command\n")
                .doesNotContain("after");
    }

    @Test
    void files_nest_up_to_a_limit_refused_with_the_chain_of_lines() throws IOException {
        Path self = dir.resolve("self.txt");
        file("self.txt", "source " + self);
        String out = run("source " + self);
        String chain = (self + ":1: ").repeat(SourceCommand.DEEPEST);
        assertThat(out.lines().toList().getLast()).isEqualTo("*** " + chain + "source: files nested more than "
                + SourceCommand.DEEPEST + " deep (does a file source itself?)");
        assertThat(out.lines().filter(l -> l.startsWith("mignet> source"))).hasSize(SourceCommand.DEEPEST);

        Path inner = file("inner.txt", "sh echo inner");
        assertThat(run("source " + file("middle.txt", "source " + inner))).isEqualTo("mignet> source " + inner
                + "\nmignet> sh echo inner\ninner\n");
    }

    @Test
    void a_file_that_cannot_be_read_is_refused_with_the_reason() throws IOException {
        assertThat(run("source " + dir.resolve("missing.txt"))).isEqualTo("*** cannot read "
                + dir.resolve("missing.txt") + ": no such file\n");
        assertThat(run("source " + dir)).isEqualTo("*** cannot read " + dir + ": it is a directory\n");
        Path binary = Files.write(dir.resolve("binary"), new byte[] {'h', 'e', (byte) 0xff, '\n'});
        assertThat(run("source " + binary)).isEqualTo("*** cannot read " + binary + ": not UTF-8 text\n");
        assertThat(run("source")).isEqualTo("*** missing arguments; usage: source <file>\n");
        assertThat(run("source a b")).isEqualTo("*** too many arguments; usage: source <file>\n");
    }

    @Test
    void exit_in_a_file_ends_the_file_and_not_the_shell() throws IOException {
        Path f = file("exits.txt", "sh echo a", "exit", "sh echo b");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean goesOn = shell.execute("source " + f, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(goesOn).isTrue();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("mignet> sh echo a\na\nmignet> exit\n(" + f
                + ":2: exit ends this file only; the shell goes on)\n");
        assertThat(run("sh echo still-here")).isEqualTo("still-here\n");
    }

    @Test
    void ctrl_c_stops_the_running_line_and_the_rest_of_the_file() throws Exception {
        Path f = file("long.txt", "sh echo first", "h1 sleep 30", "sh echo never");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        CountDownLatch done = new CountDownLatch(1);
        Thread.ofPlatform().daemon().start(() -> {
            shell.execute("source " + f, out);
            done.countDown();
        });
        awaitDescendant("sleep 30");
        shell.interrupt();
        assertThat(done.await(5, TimeUnit.SECONDS)).as("source returned after Ctrl-C; output: %s", bytes).isTrue();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("mignet> sh echo first\nfirst\nmignet> h1"
                + " sleep 30\n^C (stopped)\n*** " + f + ": stopped by Ctrl-C; line 3 was not run\n");
        assertThat(run("sh echo next")).as("the next line runs as usual").isEqualTo("next\n");
    }

    private static void awaitDescendant(String command) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (ProcessHandle.current().descendants()
                .noneMatch(p -> p.info().commandLine().orElse("").endsWith(command))) {
            assertThat(System.nanoTime()).as("'%s' started", command).isLessThan(deadline);
            Thread.sleep(10); // polling /proc: there is nothing to be told by
        }
    }
}
