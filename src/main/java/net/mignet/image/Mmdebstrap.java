package net.mignet.image;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs {@code mmdebstrap} into an empty directory, showing its progress lines, from the mirror the machine's apt
 * uses ({@link AptMirror}). Shared by every root mignet builds (host images, the criu root).
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
        Deque<String> last = new ArrayDeque<>();
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        } catch (IOException e) {
            throw new BuildFailure("cannot run mmdebstrap (install the Debian package mmdebstrap;"
                    + " scripts/lib.sh does): " + e.getMessage());
        }
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("I:") || line.startsWith("E:") || line.startsWith("W:")) {
                    log.accept(label + ": " + line);
                }
                last.addLast(line);
                if (last.size() > KEPT_LINES) {
                    last.removeFirst();
                }
            }
            if (!p.waitFor(BUILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                last.addLast("(killed after " + BUILD_TIMEOUT_MINUTES + " minutes)");
            } else if (p.exitValue() != 0) {
                last.addLast("(mmdebstrap exited with " + p.exitValue() + ")");
            }
        } catch (IOException e) {
            last.addLast("(cannot read mmdebstrap's output: " + e.getMessage() + ")");
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new BuildFailure("interrupted while building " + label);
        }
        return List.copyOf(last);
    }
}
