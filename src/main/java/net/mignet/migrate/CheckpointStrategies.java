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
            throw new IllegalArgumentException(refusalInOwnNamespaces(app));
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

    /**
     * Why an app in namespaces of its own cannot be checkpointed, as measured with criu 4.2.1 on this kernel: the
     * copy could not join the target host's PID namespace ({@code criu restore --join-ns pid:...} answers "join-ns
     * pid namespace not supported"), and the app alone cannot be dumped, because its mount namespace can be dumped
     * only whole (a dump of a process in a mount namespace of its own fails: "mnt: ... doesn't have a proper root
     * mount", on the machine's network-namespace mounts), which for a host's namespaces means from the host's init,
     * with every other app of the host.
     */
    static String refusalInOwnNamespaces(App app) {
        String where = app.host().image().isPresent()
                ? "host " + app.host().name() + "'s own mount and PID namespaces (image " + app.host().image().get()
                        + ")"
                : "a mount namespace of its own (image " + app.image().orElseThrow() + ")";
        return "mignet cannot checkpoint " + app.name() + ": it runs in " + where + ". CRIU restores a process only"
                + " into a PID namespace it creates itself (criu 4.2.1: \"join-ns pid namespace not supported\"),"
                + " so the copy could not live in the target host's; and it cannot dump the app alone, since a mount"
                + " namespace is dumped only whole (criu: \"doesn't have a proper root mount\"), for a host's"
                + " namespaces from its init, with every other app on it. Give " + app.name() + " a migration recipe"
                + " (recipe " + app.name() + " successor='...' ready=udp:PORT trigger=TERM done=log:REGEX) or mignet's"
                + " handover protocol instead: its successor starts from the same image on the target.";
    }
}
