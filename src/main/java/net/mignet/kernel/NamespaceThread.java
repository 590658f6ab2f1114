package net.mignet.kernel;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs code inside network namespaces without starting a process per namespace: a dedicated platform thread
 * enters each namespace in turn with {@code setns(2)}, which changes only that thread. Sockets opened there
 * stay bound to that namespace. Never use a virtual thread for this: its carrier would be left behind.
 */
public final class NamespaceThread {
    /** Below this many namespaces per thread, another thread costs more than it saves. */
    private static final int MIN_PER_THREAD = 32;
    private static final int MAX_THREADS = 8;

    private NamespaceThread() {
    }

    /** Calls {@code action} with each namespace name while the thread is inside that namespace. */
    public static void forEach(List<String> namespaces, Consumer<String> action) {
        run(List.of(namespaces), ns -> {
            enter(ns);
            action.accept(ns);
        });
    }

    /**
     * Like {@link #forEach}, but spreads the namespaces over one thread per core, so {@code action} must be
     * safe to call from several threads at once. Worth it where the kernel work per namespace is not all under
     * one lock (most of a namespace's set-up is not under the rtnl lock).
     */
    public static void forEachInParallel(List<String> namespaces, Consumer<String> action) {
        run(partition(namespaces), ns -> {
            enter(ns);
            action.accept(ns);
        });
    }

    /**
     * Creates named network namespaces, as {@code ip netns add} does, from threads of this process (one per
     * core): each thread unshares a new network namespace, binds it to {@code /run/netns/<name>} and then
     * calls {@code inside} in it. No process is started per namespace, and no second pass enters them again.
     * {@code /run/netns} must already be a mount point the way iproute2 prepares it, which any {@code ip netns
     * add} does. A namespace that existed already is an error; the ones created before it stay (their names
     * carry the emulation's prefix, so clean-up finds them).
     */
    public static void createEach(List<String> namespaces, Consumer<String> inside) {
        run(partition(namespaces), ns -> {
            create(ns);
            inside.accept(ns);
        });
    }

    /**
     * Calls {@code action} inside one namespace and returns its result. Sockets it opens belong to that
     * namespace and can be used from any thread afterwards.
     */
    public static <T> T call(String namespace, Supplier<T> action) {
        AtomicReference<T> result = new AtomicReference<>();
        forEach(List.of(namespace), ns -> result.set(action.get()));
        return result.get();
    }

    private static void enter(String ns) {
        int fd = Libc.open(NetnsPaths.of(ns), Libc.O_RDONLY | Libc.O_CLOEXEC);
        try {
            Libc.setns(fd, Libc.CLONE_NEWNET);
        } finally {
            NativeCalls.close(fd);
        }
    }

    private static void create(String ns) {
        Path file = NetnsPaths.RUN_NETNS.resolve(ns);
        try {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("network namespace " + ns + " exists already", e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + file + ": " + e.getMessage(), e);
        }
        boolean named = false;
        try {
            Libc.unshare(Libc.CLONE_NEWNET);
            Libc.mount("/proc/thread-self/ns/net", file.toString(), "none", Libc.MS_BIND);
            named = true;
        } finally {
            if (!named) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    // Reported by the failure that got us here; clean-up removes the file by its prefix.
                }
            }
        }
    }

    private static List<List<String>> partition(List<String> namespaces) {
        int threads = Math.clamp(namespaces.size() / MIN_PER_THREAD, 1,
                Math.min(MAX_THREADS, Runtime.getRuntime().availableProcessors()));
        List<List<String>> parts = new ArrayList<>();
        int size = namespaces.size();
        for (int t = 0; t < threads; t++) {
            parts.add(namespaces.subList(size * t / threads, size * (t + 1) / threads));
        }
        return parts;
    }

    /** Runs {@code step} for every namespace of each part on a thread of its own; the first failure wins. */
    private static void run(List<List<String>> parts, Consumer<String> step) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (List<String> part : parts) {
            workers.add(Thread.ofPlatform().name("mignet-netns").start(() -> {
                int home = Libc.open("/proc/thread-self/ns/net", Libc.O_RDONLY | Libc.O_CLOEXEC);
                try {
                    for (String ns : part) {
                        if (failure.get() != null) {
                            break;
                        }
                        step.accept(ns);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    // The thread ends right after this; going home anyway keeps the invariant simple.
                    try {
                        Libc.setns(home, Libc.CLONE_NEWNET);
                    } finally {
                        NativeCalls.close(home);
                    }
                }
            }));
        }
        boolean interrupted = false;
        for (Thread worker : workers) {
            while (true) {
                try {
                    worker.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the workers must finish before anyone may clean up after them
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while configuring namespaces");
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }
}
