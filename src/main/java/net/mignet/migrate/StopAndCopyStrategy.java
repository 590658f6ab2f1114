package net.mignet.migrate;

/** Freeze, send everything, resume on the destination: the simplest transfer, paused for all of it. */
final class StopAndCopyStrategy extends StateTransferStrategy {
    StopAndCopyStrategy(int port) {
        super(port);
    }

    @Override
    public String name() {
        return "stop-and-copy";
    }

    @Override
    String command(MigrationOptions options) {
        return "transfer stop-and-copy";
    }
}
