package net.mignet.cli;

import java.io.PrintStream;
import java.util.List;
import net.mignet.app.App;
import net.mignet.app.AppManager;
import net.mignet.apps.CounterClient;
import net.mignet.migrate.Migration;
import net.mignet.migrate.MigrationReport;
import net.mignet.net.Emulation;

/** The shell's {@code migrate} verb. */
final class MigrationCommands {
    private final Emulation net;
    private final AppManager apps;

    MigrationCommands(Emulation net, AppManager apps) {
        this.net = net;
        this.apps = apps;
    }

    void registerAll(Shell shell) {
        shell.register(new ShellCommand("migrate", "migrate <app> <host>",
                "move a running service to a host: state over the internal network, flows redirected;"
                        + " prints the downtime a counter client saw", this::migrate));
    }

    private void migrate(List<String> args, PrintStream out) throws InterruptedException {
        CoreCommands.requireArgs(args, 2, "migrate <app> <host>");
        MigrationReport report = migrate(args.get(0), args.get(1), out);
        out.println(report.summary());
        report.flowChanges().forEach(c -> out.println("  flow now: " + c));
    }

    MigrationReport migrate(String app, String host, PrintStream out) throws InterruptedException {
        Migration migration = Migration.of(apps, app).to(net.host(host)).log(out::println);
        List<App> clients = apps.apps().stream().filter(App::isRunning)
                .filter(a -> a.argv().contains(CounterClient.class.getName())).toList();
        if (clients.size() == 1) {
            migration.observedBy(clients.getFirst());
        }
        return migration.run();
    }
}
