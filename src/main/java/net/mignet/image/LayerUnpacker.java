package net.mignet.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.mignet.kernel.FileTrees;

/**
 * Applies image layers (tar archives, plain or compressed) to a root file system in order, with the OCI
 * whiteouts: {@code .wh.NAME} removes {@code NAME} of the layers below, {@code .wh..wh..opq} empties its
 * directory of what the layers below put there. GNU tar does the extracting (ownership, modes, devices, links);
 * the whiteouts are applied here, each path resolved inside the root (a symlink of the image never leads out).
 */
final class LayerUnpacker {
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    private static final int MAX_LINKS = 40;

    private LayerUnpacker() {
    }

    /** Applies one layer on top of what {@code root} holds. */
    static void apply(Path layer, String mediaType, Path root) throws BuildFailure {
        List<String> compression = compressionOption(mediaType);
        List<String> list = new ArrayList<>(List.of("tar", "-t", "--quoting-style=literal", "-f", layer.toString()));
        list.addAll(compression);
        List<String> entries = run(list, layer).lines().toList();
        refuseWritesThroughLinks(entries, root, layer);
        for (String entry : entries) {
            String name = entry.startsWith("./") ? entry.substring(2) : entry;
            name = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
            int slash = name.lastIndexOf('/');
            String dir = slash < 0 ? "" : name.substring(0, slash);
            String base = name.substring(slash + 1);
            if (base.equals(OPAQUE)) {
                emptyDirectory(resolveInside(root, dir));
            } else if (base.startsWith(WHITEOUT)) {
                String target = (dir.isEmpty() ? "" : dir + "/") + base.substring(WHITEOUT.length());
                Path path = resolveInside(root, target);
                if (!path.equals(root)) {
                    FileTrees.delete(path);
                }
            }
        }
        List<String> extract = new ArrayList<>(List.of("tar", "-x", "--numeric-owner", "--same-owner",
                "--same-permissions", "--exclude=" + WHITEOUT + "*", "-f", layer.toString(), "-C", root.toString()));
        extract.addAll(compression);
        run(extract, layer);
    }

    /**
     * tar follows a symbolic link that an earlier layer left where this layer has a directory, and an absolute
     * link target means the machine's file system, not the image's: refuse such a layer instead of writing through
     * it. Layers made by image builders never do this (they record the real paths below links).
     */
    private static void refuseWritesThroughLinks(List<String> entries, Path root, Path layer) throws BuildFailure {
        java.util.Set<String> checked = new java.util.HashSet<>();
        for (String entry : entries) {
            String name = entry.startsWith("./") ? entry.substring(2) : entry;
            int slash = name.indexOf('/');
            while (slash > 0 && slash < name.length() - 1) {
                String parent = name.substring(0, slash);
                if (checked.add(parent) && Files.isSymbolicLink(root.resolve(parent))) {
                    throw new BuildFailure("the layer " + layer + " writes " + name + " through the symbolic link "
                            + parent + " of a layer below it, which could lead out of the image; mignet refuses"
                            + " such layers");
                }
                slash = name.indexOf('/', slash + 1);
            }
        }
    }

    /** {@code tar} finds gzip by itself; zstd it is told (and needs zstd installed). */
    private static List<String> compressionOption(String mediaType) {
        return mediaType != null && mediaType.endsWith("zstd") ? List.of("--zstd") : List.of();
    }

    private static void emptyDirectory(Path dir) throws BuildFailure {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.toList()) {
                FileTrees.delete(child);
            }
        } catch (IOException e) {
            throw new BuildFailure("cannot empty " + dir + " for an opaque whiteout: " + e.getMessage());
        }
    }

    /**
     * {@code relative} inside {@code root}, following the image's own symlinks the way they resolve when {@code root}
     * is the root (an absolute link target starts at {@code root}); the last component is not followed.
     */
    static Path resolveInside(Path root, String relative) throws BuildFailure {
        Path current = root;
        List<String> parts = new ArrayList<>(List.of(relative.split("/")));
        int links = 0;
        for (int i = 0; i < parts.size(); i++) {
            String part = parts.get(i);
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                current = current.equals(root) ? root : current.getParent();
                continue;
            }
            Path next = current.resolve(part);
            boolean last = i == parts.size() - 1;
            if (!last && Files.isSymbolicLink(next)) {
                if (++links > MAX_LINKS) {
                    throw new BuildFailure("too many symbolic links resolving " + relative + " in the image");
                }
                String target;
                try {
                    target = Files.readSymbolicLink(next).toString();
                } catch (IOException e) {
                    throw new BuildFailure("cannot read the link " + next + ": " + e.getMessage());
                }
                List<String> rest = new ArrayList<>(List.of(target.split("/")));
                rest.addAll(parts.subList(i + 1, parts.size()));
                parts = rest;
                i = -1;
                if (target.startsWith("/")) {
                    current = root;
                }
                continue;
            }
            current = next;
        }
        if (!current.normalize().startsWith(root)) {
            throw new BuildFailure("the image's path " + relative + " leads out of its root");
        }
        return current;
    }

    private static String run(List<String> argv, Path layer) throws BuildFailure {
        try {
            Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null")
                    .toFile())).start();
            java.util.concurrent.CompletableFuture<byte[]> err = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> {
                        try (var stderr = p.getErrorStream()) {
                            return stderr.readAllBytes();
                        } catch (IOException e) {
                            return new byte[0];
                        }
                    }, r -> Thread.ofVirtual().start(r));
            String out;
            try (var stdout = p.getInputStream()) {
                out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (p.waitFor() != 0) {
                throw new BuildFailure("cannot unpack the layer " + layer + " (" + String.join(" ", argv) + "): "
                        + new String(err.join(), StandardCharsets.UTF_8).strip());
            }
            return out;
        } catch (IOException e) {
            throw new BuildFailure("cannot run tar on " + layer + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildFailure("interrupted while unpacking " + layer);
        }
    }
}
