package net.mignet.app;

/**
 * How an app is started. {@code tty}: its standard input, output and error are pseudo-terminals (the default,
 * as {@code docker run -t}), so programs that buffer output in blocks when it is not a terminal (Python, C stdio)
 * print line by line; false gives it pipes ({@code --no-tty}).
 */
public record DeployOptions(boolean tty) {
    public static final DeployOptions DEFAULT = new DeployOptions(true);
    public static final DeployOptions NO_TTY = new DeployOptions(false);

    public DeployOptions withTty(boolean tty) {
        return new DeployOptions(tty);
    }
}
