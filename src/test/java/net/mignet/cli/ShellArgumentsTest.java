package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.mignet.app.AppManager;
import net.mignet.apps.CounterService;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The inputs reported on 2026-11-30 each get one clear line: usage for extra or malformed arguments, no trace. */
class ShellArgumentsTest {

    @BeforeEach
    void needsKernel() {
        KernelAssumptions.assumeRoot();
        KernelAssumptions.assumeTool("nft");
    }

    private static String run(Shell shell, String line) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        shell.execute(line, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void reported_inputs_are_refused_with_the_commands_usage() {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                AppManager apps = new AppManager(net)) {
            Shell shell = new Shell(net, new CoreCommands(net, apps));
            assertThat(run(shell, "deploy srv h2 sleep 60")).contains("deployed srv");

            assertThat(run(shell, "nodes extra")).isEqualTo("*** too many arguments; usage: nodes\n");
            assertThat(run(shell, "pingall extra")).startsWith("*** usage: pingall [timeout]");
            assertThat(run(shell, "pingall 1 2")).contains("usage: pingall [timeout]");
            assertThat(run(shell, "logs srv -5"))
                    .isEqualTo("*** lines must be a whole number of 0 or more, not '-5'; usage: logs <app> [lines]\n");
            assertThat(run(shell, "logs srv abc"))
                    .isEqualTo("*** lines must be a whole number of 0 or more, not 'abc'; usage: logs <app> [lines]\n");
            assertThat(run(shell, "logs srv 1 2")).startsWith("*** too many arguments; usage: logs <app> [lines]");
            assertThat(run(shell, "migrate srv h1 extra words")).startsWith("*** unexpected 'extra'; usage: migrate");
            assertThat(run(shell, "link h1 s1 up now")).contains("takes no more words");
            assertThat(run(shell, "flows")).startsWith("*** missing arguments; usage: flows <switch>");

            String huge = "h1 echo " + "x".repeat(200 * 1024);
            assertThat(run(shell, huge)).startsWith("*** command line too long (204808 characters; at most 100000)")
                    .doesNotContain("Argument list too long");
            String longWord = "h1 echo " + "y".repeat(99_000);
            assertThat(run(shell, longWord)).startsWith("yyyy");
            assertThat(run(shell, "h1 echo a\u0000b")).isEqualTo("*** a command's arguments cannot contain NUL"
                    + " characters\n");
            assertThat(run(shell, "x".repeat(5000))).contains("characters left out) ...").hasSizeLessThan(1200);
            assertThat(run(shell, "h1 ping -c1 -W1 h2")).contains("1 received");
        }
    }

    @Test
    void messages_say_the_rule_broken_and_the_line_that_works() {
        try (Emulation net = Emulation.start(TopologyGenerators.fromSpec("single,2"));
                AppManager apps = new AppManager(net)) {
            Shell shell = new Shell(net, new CoreCommands(net, apps));
            assertThat(run(shell, "limit nosuch cpu=0.5")).startsWith("*** 'nosuch' is neither a host (h1, h2) nor"
                    + " an app (there are none); usage: limit");
            assertThat(run(shell, "deploy .hidden h1 sleep 1")).isEqualTo("*** app name '.hidden' starts with '.';"
                    + " it must start with a letter or digit, e.g. hidden\n");
            assertThat(run(shell, "deploy " + "a".repeat(300) + " h1 sleep 1")).isEqualTo("*** app name"
                    + " 'aaaaaaaaaaaaaaaaaaaa...' is 300 characters long; at most 64\n");
            assertThat(run(shell, "link h1 s1 clear")).isEqualTo("*** 'clear': write up, down or set; e.g. link h1 s1"
                    + " set clear\n");
            assertThat(run(shell, "link h1 s1 delay=5ms loss=1%")).isEqualTo("*** 'delay=5ms': write up, down or"
                    + " set; e.g. link h1 s1 set delay=5ms loss=1%\n");
            assertThat(run(shell, "deploy --packages python3 web h1 python3 -V")).startsWith("*** --packages go into"
                    + " an image: add --image debian:13");
            assertThat(run(shell, "deploy --image oci:/nowhere --packages python3 web h1 python3 -V"))
                    .contains("can only be added to a debian: image");
            assertThat(run(shell, "deploy h2 h1 sleep 1")).startsWith("*** app name 'h2' is the name of host h2");
            assertThat(run(shell, "h1 echo 'one two' | tr a-z A-Z")).isEqualTo("ONE TWO\n");
            assertThat(run(shell, "link h1 s9 up")).startsWith("*** no node 's9' in this network (nodes: h1 h2 s1)");
            assertThat(run(shell, "link h1 h2 up")).startsWith("*** no link between h1 and h2");
            assertThat(run(shell, "intfs")).containsPattern("h1 +h1-eth0 +10\\.0\\.0\\.1/8 +up ");
            run(shell, "link h1 s1 down");
            assertThat(run(shell, "intfs")).containsPattern("h1 +h1-eth0 +10\\.0\\.0\\.1/8 +down ")
                    .containsPattern("h2 +h2-eth0 +10\\.0\\.0\\.2/8 +up ");
            run(shell, "link h1 s1 up");

            assertThat(run(shell, "deploy counter h2 counter-service --listen 10.0.0.2:8888")).contains("deployed");
            assertThat(run(shell, "deploy sl h1 sleep 60")).contains("deployed");
            String listed = run(shell, "apps");
            assertThat(listed.lines().filter(l -> l.startsWith("counter ")).findFirst().orElseThrow())
                    .endsWith(" counter-service --listen 10.0.0.2:8888").doesNotContain("-XX:").hasSizeLessThan(120);
            assertThat(listed).contains(" sleep 60");
            assertThat(run(shell, "limit nosuch cpu=0.5")).contains("nor an app (counter, sl)");
        }
    }

    @Test
    void apps_shows_a_built_in_program_by_its_name_and_anything_else_as_it_is() {
        assertThat(CoreCommands.commandAsTyped(List.of("/usr/lib/jvm/bin/java", "-XX:+UseSerialGC", "-cp",
                "/x/mignet.jar", CounterService.class.getName(), "--listen", "10.0.0.12:8888")))
                .isEqualTo("counter-service --listen 10.0.0.12:8888");
        assertThat(CoreCommands.commandAsTyped(List.of("java", "-cp", "app.jar", "Main", "--x")))
                .isEqualTo("java -cp app.jar Main --x");
        assertThat(CoreCommands.commandAsTyped(List.of("sleep", "60"))).isEqualTo("sleep 60");
    }
}
