package net.mignet.app;

public enum AppState {
    RUNNING, EXITED
}
