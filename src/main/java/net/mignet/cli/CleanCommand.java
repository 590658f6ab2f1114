package net.mignet.cli;

import java.util.concurrent.Callable;
import net.mignet.kernel.Cleaner;
import net.mignet.kernel.EmulationId;
import net.mignet.kernel.NamespaceProcesses;
import net.mignet.net.Privileges;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "clean", mixinStandardHelpOptions = true,
        description = "Remove everything mignet made (processes, namespaces with their links, bridges and rules,"
                + " state), also after a crash or kill -9.")
final class CleanCommand implements Callable<Integer> {
    @Option(names = "--id", paramLabel = "ID", description = "only this emulation")
    String id;

    @Override
    public Integer call() {
        Privileges.requireRoot();
        Cleaner.Report report = id == null ? Cleaner.cleanAll(System.out::println)
                : Cleaner.removeEmulation(new EmulationId(id), System.out::println);
        if (report.isEmpty()) {
            System.out.println("*** nothing to clean");
            return 0;
        }
        for (NamespaceProcesses.Member m : report.killed()) {
            System.out.println("killed pid " + m.pid() + " in " + m.namespace() + ": " + m.command());
        }
        System.out.println("*** removed " + report.namespaces().size() + " namespaces of "
                + report.emulations().size() + " emulation(s): " + String.join(", ", report.emulations())
                + "; killed " + report.killed().size() + " processes");
        return 0;
    }
}
