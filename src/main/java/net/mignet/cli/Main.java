package net.mignet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code mignet} command: short verbs after containerlab's (run, clean, ls, inspect). */
@Command(name = "mignet", mixinStandardHelpOptions = true, version = "mignet 0.1.0",
        description = "Network emulator with stateful service migration as a first-class operation.",
        subcommands = {DemoCommand.class, RunCommand.class, LsCommand.class, CleanCommand.class, InspectCommand.class,
                ReportCommand.class, ScriptCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "print the full trace of an unexpected error to standard error (else it goes to a log"
                    + " file under /run/mignet, and the error's line says which)")
    void debug(boolean on) {
        ErrorReport.setDebug(on);
    }

    public static void main(String[] args) {
        TerminationSignals.install(System.err, true);
        int code;
        try {
            code = commandLine().execute(args);
        } catch (Throwable e) { // what picocli lets through (an Error): still one line, never a trace
            System.err.println("mignet: " + ErrorReport.describe(e, "mignet " + String.join(" ", args),
                    ErrorReport.CLI_LOG));
            code = 1;
        }
        System.exit(code);
    }

    /** The command line with mignet's error handling: one line per error, the trace in a log file. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (TerminationSignals.terminating()) {
                return 1; // the signal said what happens; the exit under way sets the status
            }
            commandLine.getErr().println("mignet: " + ErrorReport.describe(e,
                    "mignet " + String.join(" ", parseResult.originalArgs()), ErrorReport.CLI_LOG));
            return 1;
        });
        return cli;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
