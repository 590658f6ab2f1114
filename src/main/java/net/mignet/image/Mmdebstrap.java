package net.mignet.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs {@code mmdebstrap} into an empty directory, showing its progress lines, from the mirror the machine's apt
 * uses ({@link AptMirror}), in namespaces of its own ({@link IsolatedProcess}). Shared by every root mignet builds
 * (host images, the criu root).
 */
final class Mmdebstrap {
    private static final long BUILD_TIMEOUT_MINUTES = 15;
    static final int KEPT_LINES = 15;

    private Mmdebstrap() {
    }

    /**
     * Builds a {@code variant} root of {@code suite} with {@code include} packages in {@code target}; returns the
     * last lines of its output (for the caller's message if the root turns out incomplete). A mirror serving an
     * archive snapshot whose Release file is past its validity date is tried again without the date check (the
     * signatures are still checked).
     */
    static List<String> build(String variant, String suite, List<String> include, Path target, String mirror,
            String label, Consumer<String> log) throws BuildFailure {
        List<String> lines = run(variant, suite, include, target, mirror, List.of(), label, log);
        if (lines.stream().anyMatch(l -> l.contains("is expired"))) {
            log.accept(label + ": the mirror's Release file has expired; trying again without the date check");
            OnceBuiltDirectory.deleteTree(target);
            lines = run(variant, suite, include, target, mirror,
                    List.of("--aptopt=Acquire::Check-Valid-Until \"false\""), label, log);
        }
        return lines;
    }

    /** The last lines, indented, for a message. */
    static String tail(List<String> lines) {
        return "  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - KEPT_LINES), lines.size()));
    }

    private static List<String> run(String variant, String suite, List<String> include, Path target, String mirror,
            List<String> extra, String label, Consumer<String> log) throws BuildFailure {
        List<String> argv = new ArrayList<>(List.of("mmdebstrap", "--variant=" + variant));
        if (!include.isEmpty()) {
            argv.add("--include=" + String.join(",", include));
        }
        argv.addAll(extra);
        argv.addAll(List.of(suite, target.toString(), mirror));
        if (!onPath("mmdebstrap")) {
            throw new BuildFailure("cannot run mmdebstrap: not found (install the Debian package mmdebstrap;"
                    + " scripts/lib.sh does)");
        }
        Deque<String> last = new ArrayDeque<>();
        Consumer<String> lines = line -> {
            if (line.startsWith("I:") || line.startsWith("E:") || line.startsWith("W:")) {
                log.accept(label + ": " + line);
            }
            last.addLast(line);
            if (last.size() > KEPT_LINES) {
                last.removeFirst();
            }
        };
        // In namespaces of its own: it mounts the machine's /proc, /sys and more inside the root while it works.
        boolean finished;
        int exit;
        try (IsolatedProcess p = IsolatedProcess.start(argv, lines)) {
            finished = p.awaitExit(Duration.ofMinutes(BUILD_TIMEOUT_MINUTES));
            exit = finished ? p.exitValue() : -1;
        } catch (IOException e) {
            throw new BuildFailure("cannot run mmdebstrap under setpriv and unshare (install the Debian package"
                    + " util-linux; scripts/lib.sh does): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildFailure("interrupted while building " + label);
        }
        // Only now: until close() has ended the build, its output is still being added to the lines.
        if (!finished) {
            last.addLast("(killed after " + BUILD_TIMEOUT_MINUTES + " minutes)");
        } else if (exit != 0) {
            last.addLast("(mmdebstrap exited with " + exit + ")");
        }
        return List.copyOf(last);
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        return path != null && Arrays.stream(path.split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }
}
