package net.mignet.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One emulation's need for a machine-wide sysctl raised, as recorded in its state directory: which sysctl, the
 * machine's own value before mignet raised it, and the value mignet set. Written before the sysctl is raised, so a
 * {@code kill -9} at any moment leaves a record that says what to put back.
 *
 * @param file     the record ({@code /run/mignet/<id>/sysctl/<pid>-<n>})
 * @param owner    the emulation whose migration needs it
 * @param sysctl   the sysctl's file under {@code /proc/sys}
 * @param original the machine's value before mignet raised it
 * @param raised   the value mignet set
 */
public record SysctlClaim(Path file, EmulationId owner, Path sysctl, long original, long raised) {
    /** Where an emulation's claims are, inside its state directory. */
    static final String DIRECTORY = "sysctl";

    /** The sysctl's name, e.g. {@code fs.pipe-max-size}, for messages. */
    public String name() {
        Path procSys = Path.of("/proc/sys");
        return sysctl.startsWith(procSys) ? procSys.relativize(sysctl).toString().replace('/', '.')
                : sysctl.toString();
    }

    void write() throws IOException {
        Files.createDirectories(file.getParent());
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.writeString(partial, "sysctl=" + sysctl + "\noriginal=" + original + "\nraised=" + raised + "\n");
        // Renamed into place: a claim cut short by kill -9 is never read with a value missing.
        Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The claim recorded in {@code file}, or empty when it is unreadable (cut short, or gone meanwhile). */
    static Optional<SysctlClaim> read(Path file, EmulationId owner) {
        try {
            List<String> lines = Files.readAllLines(file);
            return Optional.of(new SysctlClaim(file, owner, Path.of(value(lines, "sysctl")),
                    Long.parseLong(value(lines, "original")), Long.parseLong(value(lines, "raised"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String value(List<String> lines, String key) {
        return lines.stream().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1).strip())
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no " + key));
    }
}
