package net.mignet.topo;

import java.util.Locale;

/**
 * A yes-or-no setting written as a word (a topology file's value, a shell option, a system property), read
 * strictly: a typo must be an error, not a silent "false" as {@link Boolean#parseBoolean} would make it.
 */
public final class BooleanWord {
    private BooleanWord() {
    }

    /** true, false, yes or no, in any case and with blanks around; anything else is an error. */
    public static boolean parse(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes" -> true;
            case "false", "no" -> false;
            default -> throw new IllegalArgumentException("'" + text + "' must be true or false");
        };
    }
}
