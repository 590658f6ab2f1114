package net.mignet.app;

public enum AppState {
    RUNNING, EXITED,
    /** Its host crashed ({@code crash}): mignet killed it. */
    CRASHED,
    /** Running, but its host is frozen ({@code freeze}): it makes no progress until {@code thaw}. */
    FROZEN
}
