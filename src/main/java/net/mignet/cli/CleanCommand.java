package net.mignet.cli;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import net.mignet.kernel.Cleaner;
import net.mignet.kernel.EmulationId;
import net.mignet.kernel.EmulationRecord;
import net.mignet.kernel.EmulationStopper;
import net.mignet.kernel.HostCgroup;
import net.mignet.kernel.NamespaceProcesses;
import net.mignet.net.Privileges;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "clean", mixinStandardHelpOptions = true,
        description = "Remove what emulations whose owner is gone left behind (processes, namespaces with their"
                + " links, bridges and rules, state), e.g. after kill -9. A running emulation is removed only with"
                + " --id or --all: its owner is asked to stop (SIGTERM) and tears it down itself.")
final class CleanCommand implements Callable<Integer> {
    private static final Duration OWNER_GRACE = Duration.ofSeconds(30);

    @ArgGroup(exclusive = true)
    Target target;

    static final class Target {
        @Option(names = "--id", paramLabel = "ID", description = "only this emulation, also when it is running")
        String id;

        @Option(names = "--all", description = "every emulation, also the running ones")
        boolean all;
    }

    @Override
    public Integer call() {
        Privileges.requireRoot();
        String me = "mignet clean (pid " + ProcessHandle.current().pid() + ")";
        if (target != null && target.id != null) {
            EmulationId id = new EmulationId(target.id);
            // Cgroups alone count: an older clean run from another cgroup may have left them (see HostCgroup).
            if (!EmulationRecord.of(id).exists() && !HostCgroup.leftovers().containsKey(id)) {
                System.err.println("mignet: no emulation '" + id + "' on this machine; mignet ls lists them");
                return 1;
            }
            stop(id, me);
            return 0;
        }
        if (target != null && target.all) {
            EmulationRecord.all().stream().filter(r -> r.state().ownerAlive()).forEach(r -> stop(r.id(), me));
            print(Cleaner.cleanAll(System.out::println));
            return 0;
        }
        print(Cleaner.cleanOrphans(System.out::println));
        List<String> live = EmulationRecord.all().stream().filter(r -> r.state().ownerAlive())
                .map(r -> r.id().value()).toList();
        if (!live.isEmpty()) {
            System.out.println("*** left " + live.size() + " running emulation(s) alone: " + String.join(", ", live)
                    + " (mignet clean --id ID or --all stops them)");
        }
        return 0;
    }

    private static void stop(EmulationId id, String me) {
        EmulationStopper.Outcome o = EmulationStopper.stop(id, me, OWNER_GRACE, System.out::println);
        o.ownerPid().ifPresent(pid -> System.out.printf("*** owner pid %d of %s %s after %.1f s%n", pid, id,
                o.ownerExited() ? "tore it down and exited" : o.ownerKilled() ? "did not stop; killed it"
                        : "could not be stopped", o.waited().toMillis() / 1000.0));
        if (!o.cleanup().isEmpty() || o.ownerPid().isEmpty()) {
            print(o.cleanup());
        }
    }

    private static void print(Cleaner.Report report) {
        if (report.isEmpty()) {
            System.out.println("*** nothing to clean");
            return;
        }
        for (NamespaceProcesses.Member m : report.killed()) {
            System.out.println("killed pid " + m.pid() + " in " + m.namespace() + ": " + m.command());
        }
        String cgroups = report.cgroups().isEmpty() ? "" : " and " + report.cgroups().size() + " cgroups";
        System.out.println("*** removed " + report.namespaces().size() + " namespaces" + cgroups + " of "
                + report.emulations().size() + " emulation(s): " + String.join(", ", report.emulations())
                + "; killed " + report.killed().size() + (report.killed().size() == 1 ? " process" : " processes"));
    }
}
