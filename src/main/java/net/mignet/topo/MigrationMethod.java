package net.mignet.topo;

import java.util.Locale;

/**
 * How an app moves to another host: by a {@link MigrationRecipe} (any program, described in data), by mignet's
 * documented handover protocol (services written for it, lowest downtime: {@code docs/handover-protocol.md}),
 * or by checkpoint/restore of the unmodified process. An app without one migrates by checkpoint when it can.
 */
public sealed interface MigrationMethod permits MigrationRecipe, MigrationMethod.Handover, MigrationMethod.Checkpoint {

    /** The strategy name, as {@code migrate --strategy} takes it. */
    String strategy();

    /**
     * mignet's handover protocol: the successor gets {@code --state-from OLD_IP:PORT}, the old instance is
     * told {@code handover} on its input, both report events on standard error.
     */
    record Handover(int port) implements MigrationMethod {
        public static final int DEFAULT_PORT = 9999;

        public Handover {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("handover port " + port + " is not a port (1-65535)");
            }
        }

        @Override
        public String strategy() {
            return "handover";
        }
    }

    /** Checkpoint/restore of the process tree with CRIU. */
    record Checkpoint() implements MigrationMethod {
        @Override
        public String strategy() {
            return "checkpoint";
        }
    }

    /** {@code handover}, {@code handover:PORT} or {@code checkpoint}, as written after {@code migration:}. */
    static MigrationMethod parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("checkpoint")) {
            return new Checkpoint();
        }
        if (t.equals("handover")) {
            return new Handover(Handover.DEFAULT_PORT);
        }
        if (t.startsWith("handover:")) {
            return new Handover(MigrationRecipe.port(t.substring("handover:".length()), "migration"));
        }
        throw new IllegalArgumentException("'" + text + "' is no migration method; write 'checkpoint', 'handover',"
                + " 'handover:9999', or a recipe (a mapping with successor, ready, trigger, done, grace)");
    }
}
