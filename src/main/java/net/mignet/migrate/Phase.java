package net.mignet.migrate;

import java.time.Duration;

/**
 * One phase of a migration.
 *
 * @param start  when it began, counted from the start of the migration
 * @param length how long it took
 */
public record Phase(String name, Duration start, Duration length) {
    public Duration end() {
        return start.plus(length);
    }
}
