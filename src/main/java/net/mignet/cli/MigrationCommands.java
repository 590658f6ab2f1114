package net.mignet.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.mignet.app.App;
import net.mignet.app.AppManager;
import net.mignet.experiment.MigrationRequest;
import net.mignet.migrate.MigrationFailedException;
import net.mignet.migrate.MigrationReport;
import net.mignet.topo.MigrationMethod;
import net.mignet.topo.MigrationRecipe;

/** The shell's {@code migrate} and {@code recipe} verbs. */
final class MigrationCommands {
    static final String MIGRATE_USAGE = "migrate <app> <host> [--strategy auto|handover|recipe|checkpoint"
            + "|stop-and-copy|pre-copy|post-copy] [--successor CMD] [--ready COND] [--trigger SIG|exec:CMD]"
            + " [--done COND] [--grace D] [--lazy] [--rounds N] [--until-delta BYTES]";
    static final String RECIPE_USAGE = "recipe <app> [handover[:PORT]|state-transfer[:PORT]|checkpoint|key=value...]";

    private final AppManager apps;

    MigrationCommands(AppManager apps) {
        this.apps = apps;
    }

    void registerAll(Shell shell) {
        shell.register(new ShellCommand("migrate", MIGRATE_USAGE,
                "move a running service to a host (its recipe, mignet's handover protocol, or checkpoint) and print"
                        + " what it cost; recipe options imply --strategy recipe", this::migrate));
        shell.register(new ShellCommand("recipe", RECIPE_USAGE,
                "show or set how an app migrates: successor='python3 server.py {host} --get_state' ready=udp:9999"
                        + " trigger=TERM done=log:REGEX grace=1s; placeholders {app} {host} {from} {from_ip}"
                        + " {to_ip}", this::recipe));
    }

    private void migrate(List<String> args, PrintStream out) throws InterruptedException {
        CoreCommands.requireArgs(args, 2, MIGRATE_USAGE);
        MigrationReport report;
        try {
            report = migrate(args.get(0), args.get(1), args.subList(2, args.size()), out);
        } catch (MigrationFailedException e) {
            // The migration printed its '!!! migration of ... failed and was rolled back (... still runs on ...)'
            // line through the log already, which also says where the app runs now: the shell's own '***' line
            // for the exception would say the same again.
            return;
        }
        out.println(report.summary());
        report.flowChanges().forEach(c -> out.println("  flow now: " + c));
    }

    MigrationReport migrate(String appName, String host, List<String> options, PrintStream out)
            throws InterruptedException {
        String strategy = null;
        Map<String, String> named = new LinkedHashMap<>();
        for (int i = 0; i < options.size(); i++) {
            String word = options.get(i);
            if (!word.startsWith("--")) {
                throw new IllegalArgumentException("unexpected '" + word + "'; usage: " + MIGRATE_USAGE);
            }
            String key = word.substring(2);
            String value = null;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            }
            if (key.equals("lazy")) {
                named.put(key, value == null ? "true" : value);
                continue;
            }
            if (!key.equals("strategy") && !MigrationRequest.OPTIONS.contains(key)
                    && !MigrationRecipe.KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown option --" + key + "; usage: " + MIGRATE_USAGE);
            }
            if (value == null) {
                if (i + 1 >= options.size()) {
                    throw new IllegalArgumentException("--" + key + " needs a value; usage: " + MIGRATE_USAGE);
                }
                value = options.get(++i);
            }
            if (key.equals("strategy")) {
                strategy = value;
            } else {
                named.put(key, value);
            }
        }
        return MigrationRequest.of(apps, appName, host, strategy, named).log(out::println).run();
    }

    private void recipe(List<String> args, PrintStream out) {
        CoreCommands.requireArgs(args, 1, RECIPE_USAGE);
        App app = apps.get(args.getFirst());
        List<String> settings = args.subList(1, args.size());
        if (settings.size() == 1 && !settings.getFirst().contains("=")) {
            app.migratesBy(MigrationMethod.parse(settings.getFirst()));
        } else if (!settings.isEmpty()) {
            Map<String, String> keys = new LinkedHashMap<>();
            for (String s : settings) {
                int eq = s.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("'" + s + "' is not key=value; keys: "
                            + String.join(", ", MigrationRecipe.KEYS) + "; usage: " + RECIPE_USAGE);
                }
                keys.put(s.substring(0, eq), s.substring(eq + 1));
            }
            app.migratesBy(withKeys(baseRecipe(app), keys));
        }
        describe(app, out);
    }

    static void describe(App app, PrintStream out) {
        switch (app.migrationMethod().orElse(null)) {
            case null -> out.println(app.name() + " migrates by checkpoint (no recipe given)");
            case MigrationRecipe r -> {
                out.println(app.name() + " migrates by its recipe:");
                r.describe().forEach((k, v) -> out.println("  " + k + ": " + v));
            }
            case MigrationMethod.Handover h -> out.println(app.name() + " migrates by mignet's handover protocol,"
                    + " state port " + h.port());
            case MigrationMethod.StateTransfer t -> out.println(app.name() + " migrates by mignet's state-transfer"
                    + " protocol (" + String.join(", ", t.strategies()) + "), state port " + t.port());
            case MigrationMethod.Checkpoint _ -> out.println(app.name() + " migrates by checkpoint");
        }
    }

    private static MigrationRecipe baseRecipe(App app) {
        return app.migrationMethod().orElse(null) instanceof MigrationRecipe r ? r : MigrationRecipe.DEFAULT;
    }

    private static MigrationRecipe withKeys(MigrationRecipe base, Map<String, String> keys) {
        MigrationRecipe r = base;
        for (Map.Entry<String, String> e : keys.entrySet()) {
            r = r.with(e.getKey(), e.getValue());
        }
        return r;
    }
}
