package net.mignet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CommandArityTest {

    @Test
    void reads_required_optional_and_open_ended_words_from_a_usage_line() {
        assertThat(CommandArity.of("nodes")).hasValue(new CommandArity(0, 0));
        assertThat(CommandArity.of("logs <app> [lines]")).hasValue(new CommandArity(1, 2));
        assertThat(CommandArity.of("intf <host> <interface> up|down")).hasValue(new CommandArity(3, 3));
        assertThat(CommandArity.of("deploy [--no-tty] [--pid-ns] <app> <host> <command...>"))
                .hasValue(new CommandArity(3, CommandArity.UNBOUNDED));
        assertThat(CommandArity.of("link <node> <node> up|down|set [from=<node>] [key=value...]"))
                .hasValue(new CommandArity(3, CommandArity.UNBOUNDED));
        assertThat(CommandArity.of("migrate <app> <host> [--strategy auto|handover] [--lazy] [--rounds N]"))
                .hasValue(new CommandArity(2, 7));
    }

    @Test
    void a_usage_line_with_unmatched_brackets_checks_nothing() {
        assertThat(CommandArity.of("odd <a> [b")).isEmpty();
        assertThat(CommandArity.of("odd <a> b]")).isEmpty();
    }
}
