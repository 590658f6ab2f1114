package net.mignet.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import net.mignet.net.Privileges;

/**
 * Debian's Chromium, headless, in a network namespace of its own that has only a loopback device which is down:
 * a page that tried to load anything from a network would fail there, and say so on its console.
 */
final class HeadlessChromium {
    private static final long TIMEOUT_SECONDS = 90;

    private final Path profile;

    /** What Chromium gave back: the page's DOM after its scripts ran, and the page's console lines. */
    record Page(String dom, List<String> console) {
    }

    HeadlessChromium(Path profile) {
        this.profile = profile;
    }

    /** Why Chromium cannot run here, or empty when it can. */
    static Optional<String> unavailable() {
        if (!Privileges.isRoot()) {
            return Optional.of("needs root to give Chromium a network namespace without network (unshare --net)");
        }
        for (String tool : List.of("chromium", "unshare")) {
            if (!onPath(tool)) {
                return Optional.of("needs the '" + tool + "' command (./run-tests installs it: scripts/lib.sh"
                        + " MIGNET_TEST_TOOLS)");
            }
        }
        return Optional.empty();
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        return path != null && java.util.Arrays.stream(path.split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    /** Opens {@code html}, lets its scripts run, and returns the resulting DOM and console lines. */
    Page open(Path html) throws IOException, InterruptedException {
        Run run = run(List.of("--dump-dom", html.toUri().toString()));
        return new Page(run.stdout, consoleLines(run.stderr));
    }

    /** Renders {@code html} into a PNG screenshot of that width and height. */
    void screenshot(Path html, Path png, int width, int height) throws IOException, InterruptedException {
        run(List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height,
                "--hide-scrollbars", html.toUri().toString()));
    }

    private record Run(String stdout, String stderr) {
    }

    private Run run(List<String> what) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("unshare", "--net", "chromium", "--headless", "--no-sandbox",
                "--disable-gpu", "--no-first-run", "--user-data-dir=" + profile.toAbsolutePath(),
                "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000"));
        argv.addAll(what);
        Path out = Files.createTempFile(profile.getParent(), "chromium", ".out");
        Path err = Files.createTempFile(profile.getParent(), "chromium", ".err");
        Process p = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("chromium did not finish within " + TIMEOUT_SECONDS + " s: " + argv);
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException("chromium exited with " + p.exitValue() + ": " + stderr);
        }
        return new Run(stdout, stderr);
    }

    /**
     * The page's console: messages, uncaught errors and failed loads. Chromium's own pages (chrome://) log
     * there too, about its user interface; those are not the page's.
     */
    private static List<String> consoleLines(String stderr) {
        return stderr.lines().filter(l -> l.contains(":CONSOLE")).filter(l -> !l.contains("source: chrome://"))
                .toList();
    }
}
