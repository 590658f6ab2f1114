package net.mignet.migrate;

/**
 * A snapshot while the old instance serves, then what changed since, in rounds, and a freeze only for the last
 * small delta: {@code --rounds N} rounds (the snapshot is the first), or rounds until one leaves at most
 * {@code --until-delta BYTES} changed.
 */
final class PreCopyStrategy extends StateTransferStrategy {
    PreCopyStrategy(int port) {
        super(port);
    }

    @Override
    public String name() {
        return "pre-copy";
    }

    @Override
    String command(MigrationOptions options) {
        StringBuilder sb = new StringBuilder("transfer pre-copy");
        if (options.rounds() > 0) {
            sb.append(" rounds=").append(options.rounds());
        }
        if (options.untilDelta() >= 0) {
            sb.append(" until-delta=").append(options.untilDelta());
        }
        return sb.toString();
    }
}
