package net.mignet.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Building namespaces needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN); say so before anything is touched. */
public final class Privileges {
    private Privileges() {
    }

    public static boolean isRoot() {
        try {
            return Files.readString(Path.of("/proc/self/status")).lines()
                    .filter(l -> l.startsWith("Uid:"))
                    .findFirst()
                    .map(l -> l.split("\\s+")[2].equals("0"))
                    .orElse(false);
        } catch (IOException e) {
            return false;
        }
    }

    public static void requireRoot() {
        if (!isRoot()) {
            throw new IllegalStateException("mignet needs root to build network namespaces: run it with sudo");
        }
    }
}
