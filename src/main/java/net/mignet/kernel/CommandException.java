package net.mignet.kernel;

/** A command that exited non-zero, or could not be run at all. */
public final class CommandException extends RuntimeException {
    private final transient CommandResult result;

    public CommandException(CommandResult result) {
        super("command failed (exit " + result.exitCode() + "): " + String.join(" ", result.argv())
                + (result.stderr().isBlank() ? "" : "\n" + result.stderr().strip()));
        this.result = result;
    }

    public CommandException(String message, Throwable cause) {
        super(message, cause);
        this.result = null;
    }

    /** The failed command's result, or null when it could not be started. */
    public CommandResult result() {
        return result;
    }
}
