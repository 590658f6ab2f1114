package net.mignet.migrate;

import net.mignet.app.App;
import net.mignet.image.Capability;
import net.mignet.image.CriuInstallation;
import net.mignet.image.CriuLookup;

/** Makes the checkpoint strategy, or says why there is none. */
final class CheckpointStrategies {
    private CheckpointStrategies() {
    }

    static MigrationStrategy create(App app, MigrationOptions options) {
        CriuLookup criu = CriuInstallation.find();
        if (!criu.isAvailable()) {
            throw new IllegalArgumentException("mignet cannot checkpoint " + app.name() + ": no working criu "
                    + CriuInstallation.MINIMUM + " or newer (" + criu.unavailableReason() + "); give it a migration"
                    + " recipe instead (recipe " + app.name() + " successor='...' ready=udp:PORT trigger=TERM"
                    + " done=log:REGEX)");
        }
        if (app.image().isPresent() || app.host().image().isPresent()) {
            throw new IllegalArgumentException("mignet cannot checkpoint " + app.name() + ": it runs in "
                    + (app.image().isPresent() ? "a container of its own (image " + app.image().get() + ")"
                    : "host " + app.host().name() + "'s own mount and pid namespaces (image "
                    + app.host().image().get() + ")") + ", and CRIU cannot restore a process into namespaces"
                    + " that exist already; give it a migration recipe or mignet's handover protocol instead");
        }
        CriuInstallation installation = criu.installation();
        if (options.rounds() > 0) {
            Capability rounds = installation.checkpointRounds();
            throw new IllegalArgumentException("--rounds " + options.rounds() + ": " + (rounds.supported()
                    ? "pre-dump rounds are not implemented yet; migrate without --rounds"
                    : rounds.reason()));
        }
        if (options.lazy()) {
            Capability lazy = installation.lazyPages();
            if (!lazy.supported()) {
                throw new IllegalArgumentException("--lazy: " + lazy.reason());
            }
            if (!app.hasOwnPidNamespace()) {
                throw new IllegalArgumentException("--lazy: " + app.name() + " shares mignet's pid namespace, and a"
                        + " lazy dump keeps the frozen original (and its pid) until every page has been fetched, so"
                        + " its copy cannot be restored beside it on this machine; deploy it in a pid namespace of"
                        + " its own (deploy --pid-ns, or pid_namespace: true in the topology file's apps:), or"
                        + " migrate without --lazy");
            }
        }
        if (app.terminals().isEmpty()) {
            throw new IllegalArgumentException("mignet can checkpoint only apps on terminals (its pipes to "
                    + app.name() + " cannot be handed to a restored copy): deploy it without --no-tty");
        }
        return new CheckpointStrategy(installation.criu(), options.lazy());
    }
}
