package net.mignet.app;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that starts a built-in Java app quickly: the same JVM binary and class path as mignet's,
 * C1 only and a small heap (these apps are tiny), and a class-data-sharing archive the JVM creates on first
 * use and reuses afterwards. No performance-data file: a checkpointed JVM maps its /tmp/hsperfdata file, and any
 * JVM that starts before the restore deletes it as the file of a dead process, so the restore fails.
 */
public final class JavaLauncher {
    private JavaLauncher() {
    }

    public static List<String> argv(Class<?> mainClass, List<String> args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path classPath = classPath();
        List<String> argv = new ArrayList<>(List.of(java,
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xms16m", "-Xmx128m", "-Xss512k",
                "-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + cdsArchive(classPath),
                "-Xlog:cds=off", "-Xlog:cds+dynamic=off", "--enable-native-access=ALL-UNNAMED",
                "-cp", classPath.toString(), mainClass.getName()));
        argv.addAll(args);
        return argv;
    }

    static Path classPath() {
        try {
            return Path.of(JavaLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate mignet's classes", e);
        }
    }

    /**
     * Whether the class-data archive of this build exists: until it does, the first built-in app to exit writes
     * it, which made that exit (a migration's retire phase, measured) 0.3 s slower in an experiment's first run.
     */
    public static boolean archiveReady() {
        return Files.isRegularFile(cdsArchive(classPath()));
    }

    /** One archive per build of the class path, so a rebuilt jar never meets a stale archive. */
    private static Path cdsArchive(Path classPath) {
        long stamp;
        try {
            stamp = Files.getLastModifiedTime(classPath).toMillis();
        } catch (java.io.IOException e) {
            stamp = 0;
        }
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "mignet-cds");
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            // The JVM runs without sharing when it cannot write the archive.
        }
        return dir.resolve("apps-" + Integer.toHexString(classPath.toString().hashCode()) + "-" + stamp + ".jsa");
    }
}
