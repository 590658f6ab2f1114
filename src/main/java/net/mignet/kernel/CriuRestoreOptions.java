package net.mignet.kernel;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@code criu restore} is asked to do. Build with {@link #of} and the {@code with...} methods; by default
 * the tree is restored as a sibling of criu (a child of the JVM, so its exit status can be waited for) and
 * detached (criu returns once the tree runs), with its root's pid written to {@code imagesDir/restored.pid}.
 *
 * @param imagesDir the images (all of them: criu reads pages from here, or through the lazy-pages daemon)
 * @param logFile criu's log of this operation
 * @param namespace the named network namespace to restore into ({@code --join-ns net:/run/netns/NS})
 * @param sibling {@code --restore-sibling}: the root becomes the JVM's child, not criu's
 * @param detached {@code --restore-detached}: criu exits once the tree runs
 * @param pidFile where criu writes the restored root's pid
 * @param terminals terminals handed to the restored tree ({@code --inherit-fd fd[N]:tty[...]})
 * @param lazyPages fetch pages on demand through a lazy-pages daemon working in {@code imagesDir}
 * @param tcpEstablished the dump carried open TCP connections
 * @param shellJob the dump was a {@code --shell-job}
 */
public record CriuRestoreOptions(Path imagesDir, Path logFile, String namespace, boolean sibling, boolean detached,
        Path pidFile, List<InheritedTerminal> terminals, boolean lazyPages, boolean tcpEstablished, boolean shellJob) {

    /**
     * A terminal the restored tree had open: criu gets the slave as its own descriptor {@code criuFd} and hands it
     * on wherever the dumped tree had {@code tty} open. The slave is either opened by path ({@code slave}) or a
     * descriptor this process already holds ({@code heldFd}, e.g. one opened with {@code O_NOCTTY}; -1 if none).
     */
    public record InheritedTerminal(int criuFd, Path slave, int heldFd, CriuTty tty) {
        public InheritedTerminal {
            if (criuFd < 0) {
                throw new IllegalArgumentException("descriptor " + criuFd + " is negative");
            }
            if ((slave == null) == (heldFd < 0)) {
                throw new IllegalArgumentException("a terminal is given by its slave's path or by a held descriptor");
            }
            Objects.requireNonNull(tty, "tty");
        }

        /** The slave at {@code slave}, opened by path for criu as its descriptor {@code criuFd} (0-2). */
        public static InheritedTerminal of(int criuFd, Path slave) {
            return new InheritedTerminal(criuFd, slave, -1, CriuTty.of(slave));
        }

        /** The slave this process holds open as {@code heldFd}, handed to criu as its descriptor {@code criuFd}. */
        public static InheritedTerminal held(int criuFd, int heldFd, CriuTty tty) {
            return new InheritedTerminal(criuFd, null, heldFd, tty);
        }
    }

    public CriuRestoreOptions {
        Objects.requireNonNull(imagesDir, "imagesDir");
        Objects.requireNonNull(logFile, "logFile");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(pidFile, "pidFile");
        terminals = List.copyOf(terminals);
        if (terminals.stream().map(InheritedTerminal::criuFd).distinct().count() != terminals.size()) {
            throw new IllegalArgumentException("two terminals given as the same descriptor of criu: " + terminals);
        }
    }

    /** Restore from {@code imagesDir} into {@code namespace}, as a detached sibling. */
    public static CriuRestoreOptions of(Path imagesDir, String namespace) {
        return new CriuRestoreOptions(imagesDir, imagesDir.resolve("restore.log"), namespace, true, true,
                imagesDir.resolve("restored.pid"), List.of(), false, false, false);
    }

    public CriuRestoreOptions withLogFile(Path file) {
        return new CriuRestoreOptions(imagesDir, file, namespace, sibling, detached, pidFile, terminals, lazyPages,
                tcpEstablished, shellJob);
    }

    public CriuRestoreOptions withSibling(boolean on) {
        return new CriuRestoreOptions(imagesDir, logFile, namespace, on, detached, pidFile, terminals, lazyPages,
                tcpEstablished, shellJob);
    }

    public CriuRestoreOptions withDetached(boolean on) {
        return new CriuRestoreOptions(imagesDir, logFile, namespace, sibling, on, pidFile, terminals, lazyPages,
                tcpEstablished, shellJob);
    }

    public CriuRestoreOptions withPidFile(Path file) {
        return new CriuRestoreOptions(imagesDir, logFile, namespace, sibling, detached, file, terminals, lazyPages,
                tcpEstablished, shellJob);
    }

    public CriuRestoreOptions withTerminals(List<InheritedTerminal> list) {
        return new CriuRestoreOptions(imagesDir, logFile, namespace, sibling, detached, pidFile, list, lazyPages,
                tcpEstablished, shellJob);
    }

    public CriuRestoreOptions withLazyPages(boolean on) {
        return new CriuRestoreOptions(imagesDir, logFile, namespace, sibling, detached, pidFile, terminals, on,
                tcpEstablished, shellJob);
    }

    public CriuRestoreOptions withTcpEstablished(boolean on) {
        return new CriuRestoreOptions(imagesDir, logFile, namespace, sibling, detached, pidFile, terminals, lazyPages,
                on, shellJob);
    }

    public CriuRestoreOptions withShellJob(boolean on) {
        return new CriuRestoreOptions(imagesDir, logFile, namespace, sibling, detached, pidFile, terminals, lazyPages,
                tcpEstablished, on);
    }
}
