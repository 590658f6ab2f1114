package net.mignet.cli;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import net.mignet.kernel.Cleaner;
import net.mignet.kernel.EmulationId;
import net.mignet.kernel.NetnsPaths;
import picocli.CommandLine.Command;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "List the emulations on this machine: owner process, alive or orphaned, namespaces.")
final class InspectCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        Map<String, Integer> namespaces = new TreeMap<>();
        for (String ns : NetnsPaths.list()) {
            EmulationId id = EmulationId.ofNamespace(ns);
            if (id != null) {
                namespaces.merge(id.value(), 1, Integer::sum);
            }
        }
        Cleaner.stateDirectories().forEach(d -> namespaces.putIfAbsent(d, 0));
        if (namespaces.isEmpty()) {
            System.out.println("no emulations");
            return 0;
        }
        System.out.printf("%-32s %-10s %-9s %s%n", "EMULATION", "OWNER", "STATE", "NAMESPACES");
        namespaces.forEach((id, count) -> {
            var owner = Cleaner.ownerOf(new EmulationId(id));
            boolean alive = owner.flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
            System.out.printf("%-32s %-10s %-9s %d%n", id, owner.map(String::valueOf).orElse("?"),
                    alive ? "running" : "orphaned", count);
        });
        return 0;
    }
}
