package net.mignet.kernel;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the processes living in named network namespaces with one pass over {@code /proc}, which is what
 * {@code ip netns pids} does, without a process per namespace.
 */
public final class NamespaceProcesses {
    private NamespaceProcesses() {
    }

    /** A process and the namespace it lives in. */
    public record Member(long pid, String namespace, String command) {
    }

    public static List<Member> in(List<String> namespaces) {
        Map<Long, String> byInode = new HashMap<>();
        for (String ns : namespaces) {
            try {
                Object inode = Files.getAttribute(NetnsPaths.RUN_NETNS.resolve(ns), "unix:ino");
                byInode.put((Long) inode, ns);
            } catch (IOException | UnsupportedOperationException e) {
                // Already gone: nothing lives there.
            }
        }
        List<Member> members = new ArrayList<>();
        if (byInode.isEmpty()) {
            return members;
        }
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path dir : proc) {
                long pid = Long.parseLong(dir.getFileName().toString());
                if (pid == self) {
                    continue;
                }
                String ns = byInode.get(netInode(dir));
                if (ns == null) {
                    ns = namespaceBeingEntered(dir, byInode.values());
                }
                if (ns != null) {
                    members.add(new Member(pid, ns, commandOf(pid)));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc: " + e.getMessage(), e);
        }
        return members;
    }

    /**
     * The namespace an {@code ip netns exec NS ...} or {@code nsenter --net=/run/netns/NS ...} process is about
     * to enter. Such a process still lives in the root namespace for a few milliseconds; missed, it would run
     * its program in a namespace that no longer has a name, out of reach of any clean-up.
     */
    private static String namespaceBeingEntered(Path procDir, java.util.Collection<String> namespaces) {
        try {
            return namespaceBeingEntered(new String(Files.readAllBytes(procDir.resolve("cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8).split("\0"), namespaces);
        } catch (IOException | RuntimeException e) {
            return null; // gone meanwhile, or not readable: not one of ours
        }
    }

    static String namespaceBeingEntered(String[] argv, java.util.Collection<String> namespaces) {
        if (argv.length >= 4 && argv[0].endsWith("ip") && argv[1].equals("netns") && argv[2].equals("exec")
                && namespaces.contains(argv[3])) {
            return argv[3];
        }
        if (argv.length >= 2 && argv[0].endsWith("nsenter")) {
            String prefix = "--net=" + NetnsPaths.RUN_NETNS + "/";
            for (String arg : argv) {
                if (arg.equals("--")) {
                    break;
                }
                if (arg.startsWith(prefix) && namespaces.contains(arg.substring(prefix.length()))) {
                    return arg.substring(prefix.length());
                }
            }
        }
        return null;
    }

    private static long netInode(Path procDir) {
        try {
            String link = Files.readSymbolicLink(procDir.resolve("ns/net")).toString(); // net:[4026531840]
            return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
        } catch (IOException | RuntimeException e) {
            return -1; // the process exited while we looked
        }
    }

    private static String commandOf(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("?");
    }
}
