package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.mignet.topo.Names;
import org.junit.jupiter.api.Test;

/**
 * topo cannot import cli, so it keeps its own list of the shell's words, refused as node names; this checks the
 * list against the commands the shell really has, so a new command cannot be forgotten there.
 */
class ShellWordsTest {

    @Test
    void every_shell_command_is_a_reserved_node_name() {
        Shell shell = new Shell(null, new CoreCommands(null, null));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        shell.execute("help", new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<String> commands = bytes.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.startsWith("  ") && !l.strip().startsWith("<"))
                .map(l -> l.strip().split("\\s+")[0]).toList();
        assertThat(commands).contains("help", "nodes", "links", "pingall", "exit");
        assertThat(Names.SHELL_WORDS).containsAll(commands);
    }
}
