package net.mignet.migrate;

import net.mignet.app.App;
import net.mignet.topo.MigrationMethod;

/** Makes the stop-and-copy, pre-copy or post-copy strategy, or says why the app cannot move that way. */
final class StateTransferStrategies {
    private StateTransferStrategies() {
    }

    static MigrationStrategy create(App app, String name, MigrationOptions options) {
        if (!(app.migrationMethod().orElse(null) instanceof MigrationMethod.StateTransfer declared)) {
            throw new IllegalArgumentException("--strategy " + name + " moves the state of services that speak"
                    + " mignet's state-transfer protocol, like the built-in kv-service; " + app.name() + " does not"
                    + " declare it (recipe " + app.name() + " state-transfer, or migration: state-transfer in the"
                    + " topology file, if it does)");
        }
        if (!declared.strategies().contains(name)) {
            throw new IllegalArgumentException(app.name() + " supports " + String.join(", ", declared.strategies())
                    + ", not " + name);
        }
        if (!name.equals("pre-copy") && (options.rounds() > 0 || options.untilDelta() >= 0)) {
            throw new IllegalArgumentException("--rounds and --until-delta are pre-copy's; " + name
                    + " has no rounds");
        }
        return switch (name) {
            case "stop-and-copy" -> new StopAndCopyStrategy(declared.port());
            case "pre-copy" -> new PreCopyStrategy(declared.port());
            case "post-copy" -> new PostCopyStrategy(declared.port());
            default -> throw new IllegalArgumentException("unknown state-transfer strategy " + name);
        };
    }
}
