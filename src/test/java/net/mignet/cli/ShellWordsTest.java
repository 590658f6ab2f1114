package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.mignet.app.AppManager;
import net.mignet.net.Emulation;
import net.mignet.testing.KernelAssumptions;
import net.mignet.topo.Names;
import net.mignet.topo.TopologyGenerators;
import org.junit.jupiter.api.Test;

/**
 * topo cannot import cli, so it keeps its own list of the shell's words, refused as node names; this checks the
 * list against the commands the shell really has, so a new command cannot be forgotten there.
 */
class ShellWordsTest {

    @Test
    void every_shell_command_is_a_reserved_node_name() {
        List<String> commands;
        try {
            commands = commandsOf(new Shell(null, new CoreCommands(null, null)));
        } catch (NullPointerException needsANetwork) {
            // Some command groups ask the network for details while registering: give them one.
            KernelAssumptions.assumeRoot();
            try (Emulation net = Emulation.start(TopologyGenerators.minimal()); AppManager apps = new AppManager(net)) {
                commands = commandsOf(new Shell(net, new CoreCommands(net, apps)));
            }
        }
        assertThat(commands).contains("help", "nodes", "links", "pingall", "exit");
        assertThat(Names.SHELL_WORDS).containsAll(commands);
    }

    /** The first word of each line of {@code help}: the command names. */
    private static List<String> commandsOf(Shell shell) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        shell.execute("help", new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.startsWith("  ") && !l.strip().startsWith("<"))
                .map(l -> l.strip().split("\\s+")[0]).toList();
    }
}
