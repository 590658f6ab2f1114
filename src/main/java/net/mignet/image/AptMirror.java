package net.mignet.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The package mirror this machine's apt already uses, read from its sources (deb822 {@code *.sources} files and
 * classic {@code sources.list} lines), so mignet never names a mirror host itself: a machine behind a proxy or
 * with a local mirror keeps using it.
 */
public final class AptMirror {
    public static final Path APT_DIR = Path.of("/etc/apt");

    private AptMirror() {
    }

    /** The machine's main archive mirror (not a security or updates-only repository), if apt names one. */
    public static Optional<String> ofMachine() {
        return find(APT_DIR);
    }

    /** As {@link #ofMachine()}, with apt's configuration under {@code aptDir} (for tests). */
    public static Optional<String> find(Path aptDir) {
        List<Path> deb822 = listed(aptDir.resolve("sources.list.d"), ".sources");
        for (Path file : deb822) {
            Optional<String> found = fromDeb822(read(file));
            if (found.isPresent()) {
                return found;
            }
        }
        List<Path> classic = new ArrayList<>();
        if (Files.isRegularFile(aptDir.resolve("sources.list"))) {
            classic.add(aptDir.resolve("sources.list"));
        }
        classic.addAll(listed(aptDir.resolve("sources.list.d"), ".list"));
        for (Path file : classic) {
            Optional<String> found = fromClassic(read(file));
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /** The first binary ({@code deb}) repository of a deb822 sources file that serves a main archive suite. */
    static Optional<String> fromDeb822(String text) {
        for (Map<String, String> stanza : stanzas(text)) {
            if (stanza.getOrDefault("enabled", "yes").equalsIgnoreCase("no")
                    || !words(stanza.getOrDefault("types", "")).contains("deb")) {
                continue;
            }
            boolean mainArchive = words(stanza.getOrDefault("suites", "")).stream().anyMatch(AptMirror::isMainSuite);
            List<String> uris = words(stanza.getOrDefault("uris", ""));
            if (mainArchive && !uris.isEmpty() && isNetworkUri(uris.getFirst())) {
                return Optional.of(uris.getFirst());
            }
        }
        return Optional.empty();
    }

    /** The first {@code deb URI SUITE ...} line of a classic sources.list that serves a main archive suite. */
    static Optional<String> fromClassic(String text) {
        for (String raw : text.lines().toList()) {
            String line = raw.replaceFirst("#.*", "").strip();
            // Options in brackets ([arch=amd64 signed-by=...]) come between the type and the URI.
            line = line.replaceFirst("\\[[^]]*]", " ").strip();
            List<String> w = words(line);
            if (w.size() >= 3 && w.get(0).equals("deb") && isMainSuite(w.get(2)) && isNetworkUri(w.get(1))) {
                return Optional.of(w.get(1));
            }
        }
        return Optional.empty();
    }

    private static boolean isMainSuite(String suite) {
        String s = suite.toLowerCase(Locale.ROOT);
        return !s.contains("/") && !s.endsWith("-security") && !s.endsWith("-updates") && !s.endsWith("-backports")
                && !s.endsWith("-proposed-updates");
    }

    private static boolean isNetworkUri(String uri) {
        return uri.startsWith("http://") || uri.startsWith("https://") || uri.startsWith("ftp://")
                || uri.startsWith("file:/") || uri.startsWith("mirror+");
    }

    private static List<Map<String, String>> stanzas(String text) {
        List<Map<String, String>> all = new ArrayList<>();
        Map<String, String> current = new LinkedHashMap<>();
        String lastKey = null;
        for (String line : text.lines().toList()) {
            if (line.startsWith("#")) {
                continue;
            }
            if (line.isBlank()) {
                if (!current.isEmpty()) {
                    all.add(current);
                    current = new LinkedHashMap<>();
                }
                lastKey = null;
            } else if (Character.isWhitespace(line.charAt(0)) && lastKey != null) {
                current.merge(lastKey, line.strip(), (a, b) -> a + " " + b); // a folded continuation line
            } else {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    lastKey = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                    current.put(lastKey, line.substring(colon + 1).strip());
                }
            }
        }
        if (!current.isEmpty()) {
            all.add(current);
        }
        return all;
    }

    private static List<String> words(String s) {
        return s.isBlank() ? List.of() : Arrays.asList(s.strip().split("\\s+"));
    }

    private static List<Path> listed(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read apt sources " + file, e);
        }
    }
}
