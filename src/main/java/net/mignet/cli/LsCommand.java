package net.mignet.cli;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import net.mignet.kernel.EmulationRecord;
import picocli.CommandLine.Command;

@Command(name = "ls", mixinStandardHelpOptions = true,
        description = "List the emulations on this machine: id, topology, age, hosts, owner pid and state (running,"
                + " building, orphaned: its owner is gone, half-built: its owner died while building it).")
final class LsCommand implements Callable<Integer> {
    static final String FORMAT = "%-32s %-20s %-8s %5s %-8s %s%n";

    @Override
    public Integer call() {
        List<EmulationRecord> records = EmulationRecord.all();
        if (records.isEmpty()) {
            System.out.println("no emulations");
            return 0;
        }
        System.out.printf(FORMAT, "ID", "TOPOLOGY", "AGE", "HOSTS", "OWNER", "STATE");
        records.forEach(LsCommand::print);
        if (records.stream().anyMatch(r -> !r.state().ownerAlive())) {
            System.out.println("(mignet clean removes the orphaned and half-built ones)");
        }
        return 0;
    }

    static void print(EmulationRecord r) {
        System.out.printf(FORMAT, r.id(), r.owner().map(o -> o.topologyName()).orElse("?"),
                r.age().map(LsCommand::age).orElse("?"), r.hostCount(),
                r.owner().map(o -> Long.toString(o.process().pid())).orElse("?"), r.state());
    }

    static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m" + s % 60 + "s";
        }
        return s / 3600 + "h" + s / 60 % 60 + "m";
    }
}
