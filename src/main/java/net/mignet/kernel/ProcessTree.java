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

    /** The session {@code pid} belongs to (its stat's sixth field), or empty when it is gone. */
    public static java.util.OptionalLong sessionOf(long pid) {
        String[] fields = statFields(pid);
        return fields.length > 3 ? java.util.OptionalLong.of(Long.parseLong(fields[3]))
                : java.util.OptionalLong.empty();
    }

    /**
     * The living processes of session {@code sid} (zombies left out): what a program leading that session started,
     * also children whose parent has gone and that the init has adopted.
     */
    public static Set<Long> inSession(long sid) {
        Set<Long> members = new LinkedHashSet<>();
        try (DirectoryStream<Path> all = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path dir : all) {
                String[] f = statFieldsAfterName(dir.resolve("stat"));
                if (f.length > 3 && Long.parseLong(f[3]) == sid && !f[0].equals("Z") && !f[0].equals("X")) {
                    members.add(Long.parseLong(dir.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list /proc", e);
        }
        return members;
    }

    /** {@code /proc/PID/stat}'s fields after the command name (state, ppid, pgrp, session, ...); none if gone. */
    static String[] statFields(long pid) {
        return statFieldsAfterName(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /** A stat's fields after the command name in parentheses (state, ppid, pgrp, session, ...); none if gone. */
    private static String[] statFieldsAfterName(Path stat) {
        String text = String.join(" ", ProcessSockets.lines(stat));
        int close = text.lastIndexOf(')');
        return close < 0 || close + 2 >= text.length() ? new String[0] : text.substring(close + 2).split(" ");
    }

    /** Whether {@code pid} has ended: gone, or a zombie nobody has reaped yet. */
    public static boolean ended(long pid) {
        return everyThreadIn(pid, "ZX");
    }

    /** Whether every thread of {@code pid} is in one of {@code states} (one letter each, as in its stat). */
    private static boolean everyThreadIn(long pid, String states) {
        for (Path task : tasks(pid)) {
            String[] fields = statFieldsAfterName(task.resolve("stat"));
            if (fields.length == 0) {
                continue; // gone meanwhile
            }
            if (states.indexOf(fields[0].charAt(0)) < 0) {
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
