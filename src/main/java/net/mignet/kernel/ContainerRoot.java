package net.mignet.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The root file system of a container (a host's or an app's), made by a thread inside a fresh mount namespace:
 * an overlay of a read-only image and a writable layer, the system directories, then {@code pivot_root}.
 */
final class ContainerRoot {
    static final int O_RDWR = 2;
    private static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");

    private ContainerRoot() {
    }

    static Path directory(Path parent, String name) {
        try {
            return Files.createDirectories(parent.resolve(name));
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + parent.resolve(name) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Mounts the overlay of {@code image} (lower) and {@code upper} at {@code root}, then {@code /sys}, {@code /dev},
     * {@code /tmp} and {@code /run} in it and {@code shared} read-only; {@code /proc} is the caller's (it must be
     * mounted from inside the right PID namespace). The calling thread must be in a private mount namespace.
     */
    static void prepare(Path root, Path image, Path upper, Path work, List<Path> shared) {
        ContainerCalls.mount("overlay", root.toString(), "overlay", 0, "lowerdir=" + image + ",upperdir=" + upper
                + ",workdir=" + work);
        mountSystemDirectories(root);
        for (Path p : shared) {
            bindReadOnly(p, root);
        }
    }

    /**
     * Mounts {@code /proc} in {@code root} with the machine's {@code mount}, started as a child of the calling
     * thread, so it shows the PID namespace the thread's children are born in.
     */
    static void mountProcFromChild(Path root, int devNull) {
        long mount = ChildSpawn.spawn(List.of("mount", "-t", "proc", "-o", "nosuid,nodev,noexec", "proc",
                root.resolve("proc").toString()), Map.of(), false, devNull, devNull, devNull);
        OptionalInt status = ProcessExit.await(mount);
        if (status.isEmpty() || status.getAsInt() != 0) {
            throw new IllegalStateException("mounting /proc in " + root + " failed (mount exited with " + status
                    + ")");
        }
    }

    /**
     * Makes the working directory (the new root, a mount point) the root of the calling thread's mount namespace:
     * {@code pivot_root(".", ".")} stacks the old root under the new one, and detaching it leaves only the image.
     * Every process of the namespace whose root was the old one moves along.
     */
    static void pivot() {
        ContainerCalls.pivotRoot(".", ".");
        ContainerCalls.umount2(".", ContainerCalls.MNT_DETACH);
        ContainerCalls.chdir("/");
    }

    private static void mountSystemDirectories(Path root) {
        Path proc = mkdirs(root.resolve("proc"));
        Path sys = mkdirs(root.resolve("sys"));
        ContainerCalls.mount("sysfs", sys.toString(), "sysfs", ContainerCalls.MS_RDONLY | ContainerCalls.MS_NOSUID
                | ContainerCalls.MS_NODEV | ContainerCalls.MS_NOEXEC, null);
        Path dev = mkdirs(root.resolve("dev"));
        ContainerCalls.mount("tmpfs", dev.toString(), "tmpfs", ContainerCalls.MS_NOSUID, "mode=755,size=64k");
        for (String d : DEVICES) {
            Path node = dev.resolve(d);
            try {
                Files.createFile(node);
            } catch (IOException e) {
                throw new IllegalStateException("cannot create " + node + ": " + e.getMessage(), e);
            }
            ContainerCalls.mount("/dev/" + d, node.toString(), null, ContainerCalls.MS_BIND, null);
        }
        Path pts = mkdirs(dev.resolve("pts"));
        ContainerCalls.mount("devpts", pts.toString(), "devpts", ContainerCalls.MS_NOSUID | ContainerCalls.MS_NOEXEC,
                "newinstance,ptmxmode=0666,mode=0620");
        Path shm = mkdirs(dev.resolve("shm"));
        ContainerCalls.mount("shm", shm.toString(), "tmpfs", ContainerCalls.MS_NOSUID | ContainerCalls.MS_NODEV,
                "mode=1777");
        try {
            Files.createSymbolicLink(dev.resolve("ptmx"), Path.of("pts/ptmx"));
            Files.createSymbolicLink(dev.resolve("fd"), Path.of("/proc/self/fd"));
            Files.createSymbolicLink(dev.resolve("stdin"), Path.of("/proc/self/fd/0"));
            Files.createSymbolicLink(dev.resolve("stdout"), Path.of("/proc/self/fd/1"));
            Files.createSymbolicLink(dev.resolve("stderr"), Path.of("/proc/self/fd/2"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot populate " + dev + ": " + e.getMessage(), e);
        }
        ContainerCalls.mount("tmpfs", mkdirs(root.resolve("tmp")).toString(), "tmpfs",
                ContainerCalls.MS_NOSUID | ContainerCalls.MS_NODEV, "mode=1777");
        ContainerCalls.mount("tmpfs", mkdirs(root.resolve("run")).toString(), "tmpfs",
                ContainerCalls.MS_NOSUID | ContainerCalls.MS_NODEV, "mode=755");
        if (proc == null) {
            throw new IllegalStateException("no /proc in " + root);
        }
    }

    private static void bindReadOnly(Path source, Path root) {
        if (!Files.exists(source)) {
            return;
        }
        Path target = root.resolve(source.toAbsolutePath().toString().substring(1));
        try {
            if (Files.isDirectory(source)) {
                Files.createDirectories(target);
            } else {
                Files.createDirectories(target.getParent());
                if (!Files.exists(target)) {
                    Files.createFile(target);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot make room for " + source + " in the host's root: " + e.getMessage(),
                    e);
        }
        ContainerCalls.mount(source.toString(), target.toString(), null, ContainerCalls.MS_BIND | ContainerCalls.MS_REC,
                null);
        ContainerCalls.mount(null, target.toString(), null, ContainerCalls.MS_REMOUNT | ContainerCalls.MS_BIND
                | ContainerCalls.MS_RDONLY, null);
    }

    static Path mkdirs(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + dir + " in the host's root: " + e.getMessage(), e);
        }
    }

}
