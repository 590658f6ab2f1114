package net.mignet.app;

/**
 * One of an app's pseudo-terminals, as a checkpoint needs it: the descriptor it is in the app ({@code 0},
 * {@code 1} or {@code 2}), the slave's path (open it only with {@code O_NOCTTY}), CRIU's name for it
 * ({@code tty[<rdev hex>:<dev hex>]}, for {@code criu dump --external KEY} and {@code criu restore
 * --inherit-fd fd[N]:KEY}), and mignet's own open slave descriptor, which can be handed to a child as its
 * descriptor N (see {@code kernel.ChildSpawn}).
 */
public record AppTerminal(int appFd, String slavePath, String criuKey, int mignetFd) {
}
