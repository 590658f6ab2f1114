package net.mignet.kernel;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@code criu dump} is asked to do. Build with {@link #of} and the {@code with...}
 * methods.
 *
 * @param pid the root of the process tree to checkpoint
 * @param namespace the named network namespace the tree lives in; criu runs inside it, so it leaves the
 *        namespace itself (devices, addresses) alone and dumps only the processes and their sockets
 * @param imagesDir where the images go (pages too, unless they go to a page server or are served lazily)
 * @param logFile criu's log of this operation
 * @param tcpEstablished carry open TCP connections ({@code --tcp-established}, locked with nftables)
 * @param externalTtys terminals the tree uses that stay with mignet ({@code --external tty[...]})
 * @param shellJob the tree's session (and maybe process group) is not its own ({@code --shell-job})
 * @param pageServer send pages to a page server there ({@code --page-server --address --port}), or null
 * @param lazyPages serve pages on demand from there after dumping the rest ({@code --lazy-pages}), or null
 * @param leaveStopped leave the dumped tree stopped ({@code --leave-stopped}) instead of killing it and waiting
 *        for it to die: the caller kills it, e.g. while the images travel
 */
public record CriuDumpOptions(long pid, String namespace, Path imagesDir, Path logFile, boolean tcpEstablished,
        List<CriuTty> externalTtys, boolean shellJob, CriuEndpoint pageServer, CriuEndpoint lazyPages,
        boolean leaveStopped) {

    public CriuDumpOptions {
        if (pid <= 1) {
            throw new IllegalArgumentException("pid " + pid + " cannot be checkpointed");
        }
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(imagesDir, "imagesDir");
        Objects.requireNonNull(logFile, "logFile");
        externalTtys = List.copyOf(externalTtys);
        if (pageServer != null && lazyPages != null) {
            throw new IllegalArgumentException("a dump sends its pages to a page server or serves them lazily,"
                    + " not both");
        }
    }

    /** Dump {@code pid} living in {@code namespace} into {@code imagesDir}, logging to {@code imagesDir/dump.log}. */
    public static CriuDumpOptions of(long pid, String namespace, Path imagesDir) {
        return new CriuDumpOptions(pid, namespace, imagesDir, imagesDir.resolve("dump.log"), false,
                List.of(), false, null, null, false);
    }

    public CriuDumpOptions withLogFile(Path file) {
        return new CriuDumpOptions(pid, namespace, imagesDir, file, tcpEstablished,
                externalTtys, shellJob, pageServer, lazyPages, leaveStopped);
    }

    public CriuDumpOptions withTcpEstablished(boolean on) {
        return new CriuDumpOptions(pid, namespace, imagesDir, logFile, on,
                externalTtys, shellJob, pageServer, lazyPages, leaveStopped);
    }

    public CriuDumpOptions withExternalTtys(List<CriuTty> ttys) {
        return new CriuDumpOptions(pid, namespace, imagesDir, logFile, tcpEstablished,
                ttys, shellJob, pageServer, lazyPages, leaveStopped);
    }

    public CriuDumpOptions withShellJob(boolean on) {
        return new CriuDumpOptions(pid, namespace, imagesDir, logFile, tcpEstablished,
                externalTtys, on, pageServer, lazyPages, leaveStopped);
    }

    public CriuDumpOptions withPageServer(CriuEndpoint server) {
        return new CriuDumpOptions(pid, namespace, imagesDir, logFile, tcpEstablished,
                externalTtys, shellJob, server, lazyPages, leaveStopped);
    }

    public CriuDumpOptions withLazyPages(CriuEndpoint listen) {
        return new CriuDumpOptions(pid, namespace, imagesDir, logFile, tcpEstablished,
                externalTtys, shellJob, pageServer, listen, leaveStopped);
    }

    public CriuDumpOptions withLeaveStopped(boolean on) {
        return new CriuDumpOptions(pid, namespace, imagesDir, logFile, tcpEstablished,
                externalTtys, shellJob, pageServer, lazyPages, on);
    }
}
