package net.mignet.topo;

import java.util.List;
import java.util.Locale;

/**
 * How an app moves to another host: by a {@link MigrationRecipe} (any program, described in data), by mignet's
 * documented handover protocol (services written for it, lowest downtime: {@code docs/handover-protocol.md}),
 * or by checkpoint/restore of the unmodified process. An app without one migrates by checkpoint when it can.
 */
public sealed interface MigrationMethod permits MigrationRecipe, MigrationMethod.Handover,
        MigrationMethod.StateTransfer, MigrationMethod.Checkpoint {

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

    /**
     * mignet's state-transfer protocol ({@code docs/state-transfer-protocol.md}): like the handover, but the
     * content moves by one of {@code strategies} (stop-and-copy, pre-copy, post-copy), chosen per migration;
     * pre-copy when none is asked for.
     */
    record StateTransfer(int port, List<String> strategies) implements MigrationMethod {
        public static final List<String> ALL = List.of("stop-and-copy", "pre-copy", "post-copy");

        public StateTransfer {
            new Handover(port); // the same port rules
            strategies = List.copyOf(strategies);
            if (strategies.isEmpty() || !ALL.containsAll(strategies)) {
                throw new IllegalArgumentException("state-transfer strategies " + strategies + ": use some of " + ALL);
            }
        }

        @Override
        public String strategy() {
            return strategies.contains("pre-copy") ? "pre-copy" : strategies.getFirst();
        }
    }

    /** Checkpoint/restore of the process tree with CRIU. */
    record Checkpoint() implements MigrationMethod {
        @Override
        public String strategy() {
            return "checkpoint";
        }
    }

    /**
     * {@code handover}, {@code handover:PORT}, {@code state-transfer}, {@code state-transfer:PORT} or
     * {@code checkpoint}, as written after {@code migration:}.
     */
    static MigrationMethod parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("checkpoint")) {
            return new Checkpoint();
        }
        if (t.equals("handover")) {
            return new Handover(Handover.DEFAULT_PORT);
        }
        if (t.equals("state-transfer")) {
            return new StateTransfer(Handover.DEFAULT_PORT, StateTransfer.ALL);
        }
        if (t.startsWith("state-transfer:")) {
            return new StateTransfer(MigrationRecipe.port(t.substring("state-transfer:".length()), "migration"),
                    StateTransfer.ALL);
        }
        if (t.startsWith("handover:")) {
            return new Handover(MigrationRecipe.port(t.substring("handover:".length()), "migration"));
        }
        throw new IllegalArgumentException("'" + text + "' is no migration method; write 'checkpoint', 'handover',"
                + " 'handover:9999', 'state-transfer', or a recipe (a mapping with successor, ready, trigger, done, grace)");
    }
}
