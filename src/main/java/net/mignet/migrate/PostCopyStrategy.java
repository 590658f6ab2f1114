package net.mignet.migrate;

/**
 * The successor serves at once with what it has and fetches a missing key when a request needs it, while the
 * old instance pushes the rest. The old instance keeps its frozen state, and the successor's writes mirrored
 * into it, until the push is complete: until then a failed successor means a rollback, not lost state.
 */
final class PostCopyStrategy extends StateTransferStrategy {
    PostCopyStrategy(int port) {
        super(port);
    }

    @Override
    public String name() {
        return "post-copy";
    }

    @Override
    String command(MigrationOptions options) {
        return "transfer post-copy";
    }

    @Override
    boolean completesAfterServing() {
        return true;
    }
}
