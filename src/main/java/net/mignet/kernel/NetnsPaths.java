package net.mignet.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where iproute2 keeps named network namespaces. */
public final class NetnsPaths {
    public static final Path RUN_NETNS = Path.of("/run/netns");

    private NetnsPaths() {
    }

    static String of(String namespace) {
        return RUN_NETNS.resolve(namespace).toString();
    }

    /** All named network namespaces on the machine, sorted. */
    public static List<String> list() {
        if (!Files.isDirectory(RUN_NETNS)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(RUN_NETNS)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + RUN_NETNS + ": " + e.getMessage(), e);
        }
    }

    public static boolean exists(String namespace) {
        return Files.exists(RUN_NETNS.resolve(namespace));
    }
}
