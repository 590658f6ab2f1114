package net.mignet.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.mignet.topo.Words;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import net.mignet.net.Emulation;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The {@code mignet>} prompt. On a terminal it has line editing, history and completion (JLine); otherwise it
 * reads commands from standard input, so a session can be scripted. EOF or {@code exit} ends it.
 */
public final class Shell {
    private final Emulation net;
    private final CoreCommands core;
    private final Map<String, ShellCommand> commands = new TreeMap<>();
    private boolean exitRequested;

    public Shell(Emulation net, CoreCommands core) {
        this.net = net;
        this.core = core;
        register(new ShellCommand("help", "help", "list commands", (a, out) -> help(out)));
        register(new ShellCommand("exit", "exit", "tear the network down and leave", (a, out) -> exitRequested = true));
        register(new ShellCommand("quit", "quit", "same as exit", (a, out) -> exitRequested = true));
        core.registerAll(this);
    }

    public void register(ShellCommand command) {
        commands.put(command.name(), command);
    }

    /** Runs one line; returns false when the shell should end. Errors are printed, never thrown. */
    public boolean execute(String line, PrintStream out) {
        List<String> words;
        try {
            words = Words.split(line.strip());
        } catch (IllegalArgumentException e) {
            out.println("*** " + e.getMessage());
            return true;
        }
        if (words.isEmpty() || words.getFirst().startsWith("#")) {
            return true;
        }
        String verb = words.getFirst();
        List<String> args = words.subList(1, words.size());
        try {
            ShellCommand command = commands.get(verb);
            if (command != null) {
                command.handler().run(args, out);
            } else if (net.topology().host(verb).isPresent()) {
                if (args.isEmpty()) {
                    throw new IllegalArgumentException("usage: " + verb + " <command...>, e.g. " + verb + " ip addr");
                }
                core.runOnHost(net.host(verb), args, out);
            } else {
                out.println("*** unknown command '" + verb + "': type help for the list, or a host name followed by"
                        + " a command");
            }
        } catch (IllegalArgumentException | IllegalStateException | NoSuchElementException e) {
            out.println("*** " + e.getMessage());
        } catch (Exception e) {
            out.println("*** " + verb + " failed: " + e);
        }
        out.flush();
        return !exitRequested;
    }

    /** Reads and runs commands until EOF or exit. */
    public void run(InputStream in, PrintStream out) throws IOException {
        if (System.console() != null && System.console().isTerminal() && in == System.in) {
            runInteractive(out);
            return;
        }
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            out.println("mignet> " + line);
            if (!execute(line, out)) {
                return;
            }
        }
    }

    private void runInteractive(PrintStream out) throws IOException {
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            List<String> words = new java.util.ArrayList<>(commands.keySet());
            net.hosts().forEach(h -> words.add(h.name()));
            net.switches().forEach(s -> words.add(s.name()));
            LineReader reader = LineReaderBuilder.builder().terminal(terminal)
                    .completer(new StringsCompleter(words)).build();
            while (true) {
                String line;
                try {
                    line = reader.readLine("mignet> ");
                } catch (UserInterruptException e) {
                    continue; // Ctrl-C clears the line, like a shell; exit or Ctrl-D leaves
                } catch (EndOfFileException e) {
                    return;
                }
                if (!execute(line, out)) {
                    return;
                }
            }
        }
    }

    private void help(PrintStream out) {
        out.println("Commands:");
        for (ShellCommand c : commands.values()) {
            out.printf("  %-48s %s%n", c.usage(), c.help());
        }
        out.printf("  %-48s %s%n", "<host> <command...>", "run a command on a host (host names become their IPs),"
                + " e.g. h1 ping -c1 h2");
    }
}
