package net.mignet.migrate;

/** A migration failed and was rolled back: the old instance still serves; the message says why. */
public final class MigrationFailedException extends IllegalStateException {
    public MigrationFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
