package net.mignet.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code mignet script FILE.java [args...]}: listed here so that {@code mignet --help} shows it. The launcher
 * ({@code ./mignet}) runs it itself, starting the file with java's source launcher and mignet on the class path,
 * so this class only runs when the jar is started directly ({@code java -jar mignet.jar script ...}), and then says
 * how to do it.
 */
@Command(name = "script", mixinStandardHelpOptions = true,
        description = "Run your own Java program from its source file with mignet on its class path, e.g."
                + " script examples/ServiceMigration.java.")
final class ScriptCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE.java", description = "the program's source file")
    String file;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "its arguments")
    List<String> args;

    @Override
    public Integer call() {
        throw new IllegalArgumentException("script runs through the launcher: ./mignet script " + file
                + " [args...] (or java -cp mignet.jar " + file + ")");
    }
}
