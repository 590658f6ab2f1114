package net.mignet.image;

/** Why a build (a root file system, an unpacked image) gave nothing usable; the message says what to do. */
public final class BuildFailure extends Exception {
    public BuildFailure(String message) {
        super(message);
    }
}
