package net.mignet.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code source FILE}: the shell commands in FILE, one a line, run as if typed, each echoed as {@code mignet> LINE}
 * before its output so that a transcript reads as a session. Blank lines and lines starting with {@code #} are
 * skipped. The first line that is an error of mignet's ({@code ***}: an unknown command, a bad argument, a
 * command that failed) stops the file with its {@code FILE:LINE}; a program's exit status other than 0 on a host
 * or the machine does not (a failed ping is a measurement). {@code exit} ends the file, not the shell. Ctrl-C
 * stops the line running, as typed, and the lines after it. Files may source files, at most {@value #DEEPEST} deep.
 */
final class SourceCommand {
    static final int DEEPEST = 8;

    /** The shell as a sourced file sees it. */
    interface LineRunner {
        /** Runs one line as typed; returns its error (the text after {@code *** }), or null. */
        String run(String line, PrintStream out);

        /** Whether the last line asked the shell to end ({@code exit}, {@code quit}); the request is taken back. */
        boolean takeExitRequest();
    }

    /** Ctrl-C's mark on the file being run: its remaining lines are not run. */
    private static final class Stop implements InterruptRouter.Stoppable {
        private volatile boolean requested;

        @Override
        public void stop() {
            requested = true;
        }
    }

    private final LineRunner shell;
    private final InterruptRouter router;
    private int depth;

    SourceCommand(LineRunner shell, InterruptRouter router) {
        this.shell = shell;
        this.router = router;
    }

    ShellCommand command() {
        return new ShellCommand("source", "source <file>", "run the shell commands in a file, one a line (# starts"
                + " a comment), each echoed; the first error stops it with file:line; exit in it ends the file only;"
                + " Ctrl-C stops its remaining lines", (a, out) -> source(Path.of(a.getFirst()), out))
                .withCtrlC(ShellCommand.CtrlC.OWN);
    }

    /** Runs {@code file}'s lines; throws with {@code FILE:LINE: error} at the first line that is an error. */
    void source(Path file, PrintStream out) {
        if (depth >= DEEPEST) {
            // Each file on the way adds its FILE:LINE in front of this: the chain that led here.
            throw new IllegalArgumentException("source: files nested more than " + DEEPEST + " deep (does a file"
                    + " source itself?)");
        }
        List<String> lines = CommandFile.read(file).lines();
        Stop stop = new Stop();
        router.running(stop);
        depth++;
        try {
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                if (stop.requested) {
                    throw new IllegalArgumentException(file + ": stopped by Ctrl-C; " + (i + 1 == lines.size()
                            ? "line " + lines.size() + " was" : "lines " + (i + 1) + " to " + lines.size() + " were")
                            + " not run");
                }
                out.println("mignet> " + ErrorReport.shorten(line));
                String error = shell.run(line, out);
                if (shell.takeExitRequest()) {
                    out.println("(" + file + ":" + (i + 1) + ": exit ends this file only; the shell goes on)");
                    return;
                }
                if (error != null) {
                    throw new IllegalArgumentException(file + ":" + (i + 1) + ": " + error);
                }
            }
        } finally {
            depth--;
            router.done(stop);
        }
    }
}
