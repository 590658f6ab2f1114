package net.mignet.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * One verb of the interactive shell, what Ctrl-C does while it runs, and whether it takes the rest of its line as
 * typed (one argument, quotes and all: {@code sh echo "$HOME" | wc -c}) instead of split into words.
 */
public record ShellCommand(String name, String usage, String help, Handler handler, CtrlC ctrlC,
        boolean restAsTyped) {

    @FunctionalInterface
    public interface Handler {
        /** Runs the command with its words after the verb; throws IllegalArgumentException for bad usage. */
        void run(List<String> args, PrintStream out) throws Exception;
    }

    /** What Ctrl-C does while the command runs. */
    public enum CtrlC {
        /** Says that the command cannot be interrupted: stopped halfway it would leave things half done. */
        REFUSED,
        /** Interrupts the thread running the command, which ends early and reports what it has ({@code pingall}). */
        INTERRUPTS,
        /** What the command itself gave the shell's interrupt router to stop ({@code sh}, {@code source}). */
        OWN
    }

    /** A command that Ctrl-C cannot interrupt, taking its words split. */
    public ShellCommand(String name, String usage, String help, Handler handler) {
        this(name, usage, help, handler, CtrlC.REFUSED, false);
    }

    public ShellCommand withCtrlC(CtrlC what) {
        return new ShellCommand(name, usage, help, handler, what, restAsTyped);
    }

    ShellCommand takingRestAsTyped() {
        return new ShellCommand(name, usage, help, handler, ctrlC, true);
    }
}
