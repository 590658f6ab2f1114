package net.mignet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mignet} command: short verbs after containerlab's (run, clean, inspect). */
@Command(name = "mignet", mixinStandardHelpOptions = true, version = "mignet 0.1.0",
        description = "Network emulator with stateful service migration as a first-class operation.",
        subcommands = {DemoCommand.class, RunCommand.class, CleanCommand.class, InspectCommand.class, ReportCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("mignet: " + e.getMessage());
            return 1;
        });
        System.exit(cli.execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
