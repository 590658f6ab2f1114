package net.mignet.migrate;

import net.mignet.app.App;

/** Makes the checkpoint strategy, or says why there is none. */
final class CheckpointStrategies {
    private CheckpointStrategies() {
    }

    static MigrationStrategy create(App app, MigrationOptions options) {
        throw new IllegalArgumentException("mignet cannot checkpoint " + app.name() + " yet: give it a migration"
                + " recipe (recipe " + app.name() + " successor='...' ready=udp:PORT trigger=TERM done=log:REGEX)");
    }
}
