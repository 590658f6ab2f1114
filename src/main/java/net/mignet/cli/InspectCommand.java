package net.mignet.cli;

import java.util.concurrent.Callable;
import net.mignet.kernel.EmulationId;
import net.mignet.kernel.EmulationRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Without an id: the same list as ls. With an id: that emulation's owner, state and namespaces.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "ID", description = "an emulation id, as ls shows it")
    String id;

    @Override
    public Integer call() {
        if (id == null) {
            return new LsCommand().call();
        }
        EmulationRecord r = EmulationRecord.of(new EmulationId(id));
        if (!r.exists()) {
            System.err.println("mignet: no emulation '" + id + "' on this machine; mignet ls lists them");
            return 1;
        }
        System.out.printf(LsCommand.FORMAT, "ID", "TOPOLOGY", "AGE", "HOSTS", "OWNER", "STATE");
        LsCommand.print(r);
        r.owner().ifPresent(o -> System.out.println("owner:      pid " + o.process().pid() + ", started at tick "
                + o.process().startTicks() + " of boot " + o.process().bootId() + ", created " + o.created()));
        System.out.println("state:      " + r.id().stateDirectory());
        System.out.println("namespaces: " + (r.namespaces().isEmpty() ? "(none)" : String.join(" ", r.namespaces())));
        return 0;
    }
}
