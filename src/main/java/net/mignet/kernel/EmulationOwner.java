package net.mignet.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Who owns an emulation, as recorded in its state directory ({@code /run/mignet/<id>/owner}), so that
 * {@code mignet clean} can tell a live emulation from an orphaned one even after the owner's pid was reused.
 * The first two lines (pid, topology name) are what older versions wrote; {@code key=value} lines follow.
 */
public record EmulationOwner(ProcessIdentity process, String topologyName, Instant created) {
    private static final String OWNER = "owner";
    private static final String BUILT = "built";
    private static final String STOP_REQUEST = "stop-request";

    /** This process as the owner of a new emulation of {@code topologyName}. */
    public static EmulationOwner current(String topologyName) {
        return new EmulationOwner(ProcessIdentity.current(), topologyName, Instant.now());
    }

    /** Records this owner for emulation {@code id} and takes its {@link OwnerLock} for this process's life. */
    public void writeTo(EmulationId id) throws IOException {
        OwnerLock.acquire(id);
        Files.writeString(id.stateDirectory().resolve(OWNER), process.pid() + "\n" + topologyName + "\n"
                + "start=" + process.startTicks() + "\nboot=" + process.bootId() + "\npidns="
                + process.pidNamespace() + "\ncreated=" + created.toEpochMilli() + "\n");
    }

    /** Whether the owner still lives: by its lock, or for records without one, by pid and start time. */
    public boolean isAlive(EmulationId id) {
        return OwnerLock.isHeld(id).orElseGet(process::isAlive);
    }

    /** The recorded owner of {@code id}, or empty when none was recorded (or the record is unreadable). */
    public static Optional<EmulationOwner> of(EmulationId id) {
        Path file = id.stateDirectory().resolve(OWNER);
        try {
            List<String> lines = Files.readAllLines(file);
            long pid = Long.parseLong(lines.getFirst().strip());
            String topology = lines.size() > 1 ? lines.get(1).strip() : "?";
            long start = Long.parseLong(value(lines, "start", "-1"));
            String boot = value(lines, "boot", "");
            long pidNamespace = Long.parseLong(value(lines, "pidns", "-1"));
            long createdMillis = Long.parseLong(value(lines, "created",
                    Long.toString(Files.getLastModifiedTime(file).toMillis())));
            return Optional.of(new EmulationOwner(new ProcessIdentity(pid, start, boot, pidNamespace), topology,
                    Instant.ofEpochMilli(createdMillis)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String value(List<String> lines, String key, String otherwise) {
        return lines.stream().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1).strip())
                .findFirst().orElse(otherwise);
    }

    /** Marks the emulation as completely built: a dead owner without this mark left a half-built network. */
    public static void markBuilt(EmulationId id) {
        try {
            Files.writeString(id.stateDirectory().resolve(BUILT), "");
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + id.stateDirectory() + ": " + e.getMessage(), e);
        }
    }

    public static boolean isBuilt(EmulationId id) {
        return Files.exists(id.stateDirectory().resolve(BUILT));
    }

    /** Tells the owner who asks it to stop, before it is sent SIGTERM, so it can say so. */
    public static void requestStop(EmulationId id, String by) {
        try {
            Files.writeString(id.stateDirectory().resolve(STOP_REQUEST), by + "\n");
        } catch (IOException e) {
            // The owner then only sees the signal: it still stops, without naming who asked.
        }
    }

    /** Who asked the owner of {@code id} to stop, if anyone did. */
    public static Optional<String> stopRequest(EmulationId id) {
        try {
            return Optional.of(Files.readString(id.stateDirectory().resolve(STOP_REQUEST)).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
