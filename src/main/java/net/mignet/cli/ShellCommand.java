package net.mignet.cli;

import java.io.PrintStream;
import java.util.List;

/** One verb of the interactive shell. */
public record ShellCommand(String name, String usage, String help, Handler handler) {

    @FunctionalInterface
    public interface Handler {
        /** Runs the command with its words after the verb; throws IllegalArgumentException for bad usage. */
        void run(List<String> args, PrintStream out) throws Exception;
    }
}
