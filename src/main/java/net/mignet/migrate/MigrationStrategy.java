package net.mignet.migrate;

import net.mignet.app.App;

/**
 * One way of moving a running app to another host. The strategy runs its steps through the
 * {@link MigrationContext}, which times the phases, moves or holds the traffic, and remembers how to undo what was
 * done, so that a failed step rolls the whole migration back.
 */
public interface MigrationStrategy {

    /** The name {@code migrate --strategy} takes, e.g. {@code recipe}. */
    String name();

    /**
     * Moves {@code ctx.app()} to {@code ctx.target()} and returns the instance now serving there; the old instance
     * is gone when it returns. On failure it throws, and the context undoes the steps registered so far.
     */
    App migrate(MigrationContext ctx) throws Exception;
}
