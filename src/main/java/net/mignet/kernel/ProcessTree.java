package net.mignet.kernel;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A process and its descendants, read from {@code /proc}. */
public final class ProcessTree {
    private ProcessTree() {
    }

    /** The process and its descendants, found through each thread's {@code children} list. */
    public static Set<Long> of(long rootPid) {
        Set<Long> found = new LinkedHashSet<>();
        Deque<Long> todo = new ArrayDeque<>(List.of(rootPid));
        while (!todo.isEmpty()) {
            long pid = todo.pop();
            if (!found.add(pid)) {
                continue;
            }
            for (Path task : tasks(pid)) {
                for (String word : String.join(" ", ProcessSockets.lines(task.resolve("children"))).trim()
                        .split("\\s+")) {
                    if (!word.isEmpty()) {
                        todo.push(Long.parseLong(word));
                    }
                }
            }
        }
        return found;
    }

    /**
     * Whether every thread of the tree is asleep (state S: waiting for input, a timer or a lock) or stopped,
     * i.e. none is in the middle of work such as answering a request it has just read.
     */
    public static boolean asleep(long rootPid) {
        return of(rootPid).stream().allMatch(pid -> everyThreadIn(pid, "STtIZ"));
    }

    /**
     * Whether every thread of {@code pid} (not its descendants) has stopped (state T or t) or ended: a SIGSTOP
     * is only sent when {@code kill} returns, and a thread running on another CPU stops when it next leaves the
     * kernel.
     */
    public static boolean stopped(long pid) {
        return everyThreadIn(pid, "TtZX");
    }

    /** Whether {@code pid} has ended: gone, or a zombie nobody has reaped yet. */
    public static boolean ended(long pid) {
        return everyThreadIn(pid, "ZX");
    }

    /** Whether every thread of {@code pid} is in one of {@code states} (one letter each, as in its stat). */
    private static boolean everyThreadIn(long pid, String states) {
        for (Path task : tasks(pid)) {
            String stat = String.join(" ", ProcessSockets.lines(task.resolve("stat")));
            int close = stat.lastIndexOf(')');
            if (close < 0 || close + 2 >= stat.length()) {
                continue; // gone meanwhile
            }
            if (states.indexOf(stat.charAt(close + 2)) < 0) {
                return false;
            }
        }
        return true;
    }

    private static List<Path> tasks(long pid) {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            List<Path> out = new java.util.ArrayList<>();
            tasks.forEach(out::add);
            return out;
        } catch (IOException | RuntimeException e) {
            return List.of(); // gone meanwhile
        }
    }
}
