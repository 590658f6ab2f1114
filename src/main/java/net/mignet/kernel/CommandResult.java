package net.mignet.kernel;

import java.util.List;

/** What a finished command left behind. */
public record CommandResult(List<String> argv, int exitCode, String stdout, String stderr) {
    public boolean ok() {
        return exitCode == 0;
    }

    /** Returns this result, or throws naming the command and its error output when it failed. */
    public CommandResult orThrow() {
        if (!ok()) {
            throw new CommandException(this);
        }
        return this;
    }
}
