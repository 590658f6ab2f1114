package net.mignet.experiment;

import java.util.List;
import java.util.Map;
import net.mignet.app.App;
import net.mignet.app.AppManager;
import net.mignet.apps.CounterClient;
import net.mignet.migrate.Migration;
import net.mignet.migrate.MigrationOptions;
import net.mignet.topo.MigrationRecipe;
import net.mignet.topo.TimelineStep;

/** A timeline's migrate step as a {@link Migration}: its strategy, options and recipe keys. */
final class TimelineMigration {
    private TimelineMigration() {
    }

    static Migration of(AppManager apps, TimelineStep.Migrate step) {
        App app = apps.get(step.app());
        Migration migration = Migration.of(apps, step.app()).to(apps.emulation().host(step.host()))
                .strategy(step.strategy());
        MigrationOptions options = MigrationOptions.DEFAULTS;
        MigrationRecipe recipe = null;
        for (Map.Entry<String, String> e : step.options().entrySet()) {
            switch (e.getKey()) {
                case "lazy" -> options = options.withLazy(Boolean.parseBoolean(e.getValue()));
                case "rounds" -> options = options.withRounds(count(e.getValue()));
                case "until-delta" -> throw new IllegalArgumentException("until-delta needs a pre-copy strategy,"
                        + " which this build does not have");
                default -> {
                    MigrationRecipe base = recipe != null ? recipe
                            : app.migrationMethod().orElse(null) instanceof MigrationRecipe r ? r
                                    : MigrationRecipe.DEFAULT;
                    recipe = base.with(e.getKey(), e.getValue());
                }
            }
        }
        if (recipe != null) {
            migration.recipe(recipe);
        }
        observer(apps).ifPresent(migration::observedBy);
        return migration.options(options);
    }

    /** The counter client whose replies measure the migration, when there is exactly one running. */
    static java.util.Optional<App> observer(AppManager apps) {
        List<App> clients = apps.apps().stream().filter(App::isRunning)
                .filter(a -> a.argv().contains(CounterClient.class.getName())).toList();
        return clients.size() == 1 ? java.util.Optional.of(clients.getFirst()) : java.util.Optional.empty();
    }

    private static int count(String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("rounds: '" + text + "' is not a number");
        }
    }
}
