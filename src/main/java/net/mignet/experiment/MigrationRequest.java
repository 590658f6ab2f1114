package net.mignet.experiment;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.mignet.app.App;
import net.mignet.app.AppEvents;
import net.mignet.app.AppManager;
import net.mignet.apps.KvSize;
import net.mignet.migrate.Migration;
import net.mignet.migrate.MigrationOptions;
import net.mignet.topo.BooleanWord;
import net.mignet.topo.MigrationRecipe;

/**
 * A migration as the shell's {@code migrate} and a timeline's migrate step ask for it: a strategy and options
 * by name ({@code lazy}, {@code rounds}, {@code until-delta}, recipe keys), observed by the one built-in client
 * that runs, if there is exactly one.
 */
public final class MigrationRequest {
    /** The option names besides the strategy; recipe keys are the others. */
    public static final List<String> OPTIONS = List.of("lazy", "rounds", "until-delta");

    private MigrationRequest() {
    }

    /**
     * @param strategy a strategy name, or null for {@code auto}
     * @param options  option name to value ({@code lazy} takes true/false)
     */
    public static Migration of(AppManager apps, String appName, String host, String strategy,
            Map<String, String> options) {
        App app = apps.get(appName);
        Migration migration = Migration.of(apps, appName).to(apps.emulation().host(host));
        if (strategy != null) {
            migration.strategy(strategy);
        }
        MigrationOptions opts = MigrationOptions.DEFAULTS;
        MigrationRecipe recipe = null;
        for (Map.Entry<String, String> e : options.entrySet()) {
            String value = e.getValue();
            switch (e.getKey()) {
                case "lazy" -> opts = opts.withLazy(lazy(value));
                case "rounds" -> opts = opts.withRounds(count(value));
                case "until-delta" -> opts = opts.withUntilDelta(bytes(value));
                default -> {
                    if (!MigrationRecipe.KEYS.contains(e.getKey())) {
                        throw new IllegalArgumentException("unknown option " + e.getKey() + "; options: "
                                + String.join(", ", OPTIONS) + ", and the recipe keys "
                                + String.join(", ", MigrationRecipe.KEYS));
                    }
                    MigrationRecipe base = recipe != null ? recipe
                            : app.migrationMethod().orElse(null) instanceof MigrationRecipe r ? r
                                    : MigrationRecipe.DEFAULT;
                    recipe = base.with(e.getKey(), value);
                }
            }
        }
        if (recipe != null) {
            MigrationRecipe.keysIgnoredBy(strategy).ifPresent(why -> {
                throw new IllegalArgumentException(why);
            });
            migration.recipe(recipe);
        }
        observer(apps).ifPresent(migration::observedBy);
        return migration.options(opts);
    }

    /**
     * The client whose replies measure the migration, when exactly one runs: mignet's counter or key-value client,
     * or else any app that prints the documented reply events ({@code @mignet event=reply seq=.. sent=..
     * replied=.. retries=..}).
     */
    public static Optional<App> observer(AppManager apps) {
        List<App> running = apps.apps().stream().filter(App::isRunning).toList();
        List<App> clients = running.stream().filter(a -> CounterClientCheck.isCounterClient(a)
                || KvClientCheck.isKvClient(a)).toList();
        if (clients.isEmpty()) {
            clients = running.stream().filter(MigrationRequest::printsReplies).toList();
        }
        return clients.size() == 1 ? Optional.of(clients.getFirst()) : Optional.empty();
    }

    private static boolean printsReplies(App app) {
        // Its recent lines: a client that sends at all prints a reply every few of them.
        return app.log().tail(200).stream().map(l -> AppEvents.parse(l.text()))
                .anyMatch(e -> e != null && e.name().equals("reply"));
    }

    private static boolean lazy(String text) {
        try {
            return BooleanWord.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("lazy: " + e.getMessage(), e);
        }
    }

    private static int count(String text) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("rounds: '" + text + "' is not a count of 1 or more");
    }

    private static long bytes(String text) {
        try {
            return KvSize.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("until-delta: " + e.getMessage());
        }
    }
}
