package net.mignet.kernel;

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
    private NamespaceThread() {
    }

    /** Calls {@code action} with each namespace name while the thread is inside that namespace. */
    public static void forEach(List<String> namespaces, Consumer<String> action) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread worker = Thread.ofPlatform().name("mignet-netns").unstarted(() -> {
            int home = Libc.open("/proc/thread-self/ns/net", Libc.O_RDONLY | Libc.O_CLOEXEC);
            try {
                for (String ns : namespaces) {
                    int fd = Libc.open(NetnsPaths.of(ns), Libc.O_RDONLY | Libc.O_CLOEXEC);
                    try {
                        Libc.setns(fd, Libc.CLONE_NEWNET);
                    } finally {
                        Libc.close(fd);
                    }
                    action.accept(ns);
                }
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                // The thread ends right after this; going home anyway keeps the invariant simple.
                try {
                    Libc.setns(home, Libc.CLONE_NEWNET);
                } finally {
                    Libc.close(home);
                }
            }
        });
        worker.start();
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while configuring namespaces", e);
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

    /**
     * Calls {@code action} inside one namespace and returns its result. Sockets it opens belong to that
     * namespace and can be used from any thread afterwards.
     */
    public static <T> T call(String namespace, Supplier<T> action) {
        AtomicReference<T> result = new AtomicReference<>();
        forEach(List.of(namespace), ns -> result.set(action.get()));
        return result.get();
    }
}
