package net.mignet.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A process as the kernel knows it for good: its pid plus its start time (field 22 of {@code /proc/PID/stat},
 * in clock ticks since boot) and the boot it belongs to. A pid alone is reused after the process died; the three
 * together name one process only, so an emulation whose owner died is never mistaken for a live one.
 *
 * @param startTicks the start time, or -1 when not recorded (an owner file of an older mignet)
 * @param bootId {@code /proc/sys/kernel/random/boot_id}, or "" when not recorded
 * @param pidNamespace the inode of the pid namespace {@code pid} is a number in, or -1 when not recorded
 */
public record ProcessIdentity(long pid, long startTicks, String bootId, long pidNamespace) {
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    /** This JVM's process. */
    public static ProcessIdentity current() {
        long pid = ProcessHandle.current().pid();
        return new ProcessIdentity(pid, startTicksOf(pid).orElse(-1L), currentBootId(), currentPidNamespace());
    }

    /** Whether {@link #pid} is a pid of this process's pid namespace, so it can be looked up and signalled. */
    public boolean isVisible() {
        return pidNamespace < 0 || pidNamespace == currentPidNamespace();
    }

    /** Whether this very process still runs: same pid, same start time, same boot. */
    public boolean isAlive() {
        if (!isVisible()) {
            return true; // cannot be told from here: never take a possibly live owner for a dead one
        }
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        if (!bootId.isEmpty() && !bootId.equals(currentBootId())) {
            return false;
        }
        return startTicks < 0 || startTicksOf(pid).map(t -> t == startTicks).orElse(false);
    }

    /** Field 22 of {@code /proc/PID/stat}, or empty when there is no such process. */
    static Optional<Long> startTicksOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(Long.parseLong(fields[22 - 3]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    static long currentPidNamespace() {
        try {
            return (Long) Files.getAttribute(Path.of("/proc/self/ns/pid"), "unix:ino");
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static String currentBootId() {
        try {
            return Files.readString(BOOT_ID).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
