package net.mignet.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.NoSuchElementException;
import net.mignet.kernel.EmulationId;

/**
 * Turns an exception that reached the user boundary (a CLI verb, a shell command) into one clear line. Its full
 * trace goes to a log file, or to standard error with {@code --debug}: never to the user's screen otherwise.
 */
final class ErrorReport {
    /** Where errors of the CLI verbs are logged (an emulation's own errors go to its state directory). */
    static final Path CLI_LOG = EmulationId.stateRoot().resolve("mignet.log");
    private static final int LONGEST_LINE = 1000;
    /** Of a longer line, this much of its end is kept. */
    private static final int KEPT_END = 300;
    private static final long LOG_LIMIT = 4L << 20;
    private static volatile boolean debug;

    private ErrorReport() {
    }

    static void setDebug(boolean on) {
        debug = on;
    }

    static boolean debug() {
        return debug;
    }

    /** The line for the user; the trace of an unexpected error goes to {@code log} (or standard error with --debug). */
    static String describe(Throwable e, String context, Path log) {
        String message = e.getMessage() == null ? "" : e.getMessage().strip();
        if (message.contains("Argument list too long")) {
            return "the command line is too long for the kernel (Argument list too long): shorten it" + traceOnDebug(e);
        }
        if (isForUsers(e, message)) {
            return shorten(message) + traceOnDebug(e);
        }
        String where = record(e, context, log);
        if (e instanceof StackOverflowError) {
            return "the input is nested too deeply to handle (stack overflow)" + where;
        }
        if (e instanceof OutOfMemoryError) {
            return "out of memory: the input is too large" + where;
        }
        return "internal error (" + e.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + shorten(message))
                + ") in " + shorten(context) + where;
    }

    private static String traceOnDebug(Throwable e) {
        if (debug) {
            e.printStackTrace();
        }
        return "";
    }

    /**
     * Whether the exception's message was written for users: mignet's own exceptions and the argument and state
     * errors it throws. A NumberFormatException or an empty Optional's "No value present" is not.
     */
    private static boolean isForUsers(Throwable e, String message) {
        if (message.isEmpty() || message.equals("No value present")) {
            return false;
        }
        if (e instanceof NumberFormatException) {
            return false;
        }
        return e.getClass().getName().startsWith("net.mignet.") || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException || e instanceof NoSuchElementException
                || e instanceof IOException || e instanceof java.io.UncheckedIOException;
    }

    /**
     * Lines longer than a few screen lines are cut in the middle: hostile input must not come back a hundred
     * kilobytes long, and mignet's own longest messages (a refusal with its reasons and what to do) stay whole.
     */
    static String shorten(String text) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            // The middle goes: a message's advice (what to do) comes at its end.
            out.append(line.length() <= LONGEST_LINE ? line : line.substring(0, LONGEST_LINE - KEPT_END) + " ... ("
                    + (line.length() - LONGEST_LINE) + " characters left out) ... "
                    + line.substring(line.length() - KEPT_END));
        }
        return out.toString().replaceAll("[\\p{Cc}&&[^\n\t]]", "?");
    }

    /** Writes the trace; returns where to find it, for the user's line. */
    private static String record(Throwable e, String context, Path log) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        if (debug) {
            System.err.print(trace);
            return "";
        }
        try {
            Files.createDirectories(log.getParent());
            if (Files.exists(log) && Files.size(log) > LOG_LIMIT) {
                Files.delete(log);
            }
            Files.writeString(log, Instant.now() + " " + context + ": " + trace, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return " (trace in " + log + ")";
        } catch (IOException | RuntimeException io) {
            return " (run with --debug for the trace)";
        }
    }
}
