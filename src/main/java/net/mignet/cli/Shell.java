package net.mignet.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.mignet.net.Emulation;
import net.mignet.topo.Words;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The {@code mignet>} prompt. On a terminal it has line editing, history and completion (JLine); otherwise it
 * reads commands from standard input, so a session can be scripted. EOF or {@code exit} ends it.
 *
 * <p>On a terminal, Ctrl-C at the prompt clears the line; during a command run on a host or the machine it stops
 * that command (see {@link ForegroundCommand}), during {@code pingall} it ends it early, during {@code source} it
 * also stops the file's remaining lines; at any other moment it never ends mignet (see {@link InterruptRouter}).
 */
public final class Shell {
    /** Longer lines are refused before anything runs: the kernel takes at most 128 KiB per argument. */
    static final int LONGEST_LINE = 100_000;
    private final Emulation net;
    private final CoreCommands core;
    private final Map<String, ShellCommand> commands = new TreeMap<>();
    private final InterruptRouter interrupts = new InterruptRouter(Thread.currentThread(), System.err);
    private final SourceCommand source;
    private boolean exitRequested;

    public Shell(Emulation net, CoreCommands core) {
        this.net = net;
        this.core = core;
        this.source = new SourceCommand(new SourceCommand.LineRunner() {
            @Override
            public String run(String line, PrintStream out) {
                return perform(line, out);
            }

            @Override
            public boolean takeExitRequest() {
                boolean asked = exitRequested;
                exitRequested = false;
                return asked;
            }
        }, interrupts);
        register(new ShellCommand("help", "help", "list commands", (a, out) -> help(out)));
        register(new ShellCommand("exit", "exit", "tear the network down and leave", (a, out) -> exitRequested = true));
        register(new ShellCommand("quit", "quit", "same as exit", (a, out) -> exitRequested = true));
        register(new ShellCommand("sh", "sh <command...>", "run a command on the machine itself, outside every host,"
                + " through /bin/sh as typed (host names stay names), e.g. sh ip link, sh tc qdisc show | head;"
                + " Ctrl-C stops it", (a, out) -> ForegroundCommand.run(List.of("/bin/sh", "-c", a.getFirst()), out,
                        interrupts)).withCtrlC(ShellCommand.CtrlC.OWN).takingRestAsTyped());
        register(source.command());
        core.registerAll(this);
    }

    public void register(ShellCommand command) {
        commands.put(command.name(), command);
    }

    /**
     * Runs one line; returns false when the shell should end. Errors are printed as one line each, never thrown;
     * the trace of an unexpected one goes to the emulation's log ({@code mignet.log} in its state directory).
     */
    public boolean execute(String line, PrintStream out) {
        String error = perform(line, out);
        if (error != null) {
            out.println("*** " + error);
        }
        out.flush();
        return !exitRequested;
    }

    /** Runs one line; returns its error, the line to print after {@code *** }, or null when there was none. */
    private String perform(String line, PrintStream out) {
        if (line.length() > LONGEST_LINE) {
            return "command line too long (" + line.length() + " characters; at most " + LONGEST_LINE
                    + "): put long data in a file on the host instead";
        }
        String stripped = line.strip();
        List<Words.Word> typed;
        try {
            typed = Words.splitMarked(stripped);
        } catch (RuntimeException e) {
            return ErrorReport.describe(e, "reading '" + line + "'", log());
        }
        List<String> words = typed.stream().map(Words.Word::text).toList();
        if (words.isEmpty() || words.getFirst().startsWith("#")) {
            return null;
        }
        String verb = words.getFirst();
        try {
            ShellCommand command = commands.get(verb);
            if (command != null) {
                run(command, command.restAsTyped() ? restAsTyped(stripped, typed.getFirst())
                        : words.subList(1, words.size()), out);
            } else if (net.topology().host(verb).isPresent()) {
                if (words.size() == 1) {
                    throw new IllegalArgumentException("usage: " + verb + " <command...>, e.g. " + verb + " ip addr");
                }
                // Typed, so quoting is known: an unquoted metacharacter makes it a line for sh -c.
                HostCommandRun.run(net.host(verb), ShellOperators.argv(typed.subList(1, typed.size()),
                        core::withHostAddress), out, interrupts);
            } else if (net.topology().kindOf(verb).isPresent()) {
                return verb + " is a switch: switches run no commands (they are Linux bridges in one namespace of"
                        + " mignet's); see its rules with 'flows " + verb + "', its ports with 'switches', its links"
                        + " with 'links'";
            } else {
                return "unknown command '" + ErrorReport.shorten(verb) + "': type help for the list, or a host name"
                        + " followed by a command";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return verb + " interrupted";
        } catch (Throwable e) { // whatever it is, one line: the shell and its network go on
            return ErrorReport.describe(e, line, log());
        }
        return null;
    }

    /** What follows {@code verb} in {@code line}, as typed, as one argument; none when nothing does. */
    private static List<String> restAsTyped(String line, Words.Word verb) {
        String rest = line.substring(verb.end()).strip();
        return rest.isEmpty() ? List.of() : List.of(rest);
    }

    private void run(ShellCommand command, List<String> args, PrintStream out) throws Exception {
        CommandArity.of(command.usage()).filter(a -> !a.accepts(args.size())).ifPresent(a -> {
            throw new IllegalArgumentException((args.size() < a.min() ? "missing arguments" : "too many arguments")
                    + "; usage: " + command.usage());
        });
        switch (command.ctrlC()) {
            case REFUSED -> {
                String outer = interrupts.busyWith(command.name());
                try {
                    command.handler().run(args, out);
                } finally {
                    interrupts.busyWith(outer);
                }
            }
            case INTERRUPTS -> {
                try (ThreadInterruption _ = ThreadInterruption.ofCurrentThread(interrupts)) {
                    command.handler().run(args, out);
                }
            }
            case OWN -> command.handler().run(args, out);
        }
    }

    private Path log() {
        return net.id().stateDirectory().resolve("mignet.log");
    }

    /** What Ctrl-C does now: stop what may be stopped (a command on a host, pingall, a sourced file). On SIGINT. */
    public void interrupt() {
        interrupts.interrupt();
    }

    /** Reads and runs commands until EOF or exit. */
    public void run(InputStream in, PrintStream out) throws IOException {
        run(in, out, null);
    }

    /**
     * As {@link #run(InputStream, PrintStream)}, first running the lines of {@code commands} (null: none) as
     * {@code source} does, as Mininet's {@code --pre} does.
     */
    public void run(InputStream in, PrintStream out, Path commands) throws IOException {
        if (System.console() != null && System.console().isTerminal() && in == System.in) {
            runInteractive(out, commands);
            return;
        }
        runFirst(commands, out);
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            out.println("mignet> " + ErrorReport.shorten(line));
            if (!execute(line, out)) {
                return;
            }
        }
    }

    private void runFirst(Path commands, PrintStream out) {
        if (commands == null) {
            return;
        }
        out.println("mignet> source " + commands);
        try {
            source.source(commands, out);
        } catch (RuntimeException e) {
            out.println("*** " + ErrorReport.describe(e, "source " + commands, log()));
        }
        out.flush();
    }

    private void runInteractive(PrintStream out, Path commands) throws IOException {
        // From here on SIGINT never takes the default action, which would end the JVM without its teardown; JLine
        // takes it over inside readLine and gives it back after.
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> interrupts.interrupt());
        // Not closed here: Ctrl-C is watched on it during the teardown that follows; a shutdown hook restores it.
        Terminal terminal = TerminalBuilder.builder().system(true).build();
        terminal.handle(Terminal.Signal.INT, s -> interrupts.interrupt());
        Attributes original = terminal.getAttributes();
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> terminal.setAttributes(original)));
        LineReader reader = LineReaderBuilder.builder().terminal(terminal)
                .completer(new StringsCompleter(completions())).build();
        try {
            try (InterruptKeyWatcher _ = new InterruptKeyWatcher(terminal, interrupts::interrupt)) {
                runFirst(commands, out);
            }
            readAndRun(reader, terminal, out);
        } finally {
            interrupts.tearingDown();
            new InterruptKeyWatcher(terminal, interrupts::interrupt); // until the JVM exits
        }
    }

    private void readAndRun(LineReader reader, Terminal terminal, PrintStream out) {
        while (true) {
            String line;
            try {
                line = reader.readLine("mignet> ");
            } catch (UserInterruptException e) {
                continue; // Ctrl-C clears the line, like a shell; exit or Ctrl-D leaves
            } catch (EndOfFileException e) {
                return;
            }
            try (InterruptKeyWatcher _ = new InterruptKeyWatcher(terminal, interrupts::interrupt)) {
                if (!execute(line, out)) {
                    return;
                }
            }
        }
    }

    private List<String> completions() {
        List<String> words = new ArrayList<>(commands.keySet());
        net.hosts().forEach(h -> words.add(h.name()));
        net.switches().forEach(s -> words.add(s.name()));
        return words;
    }

    private void help(PrintStream out) {
        out.println("Commands:");
        for (ShellCommand c : commands.values()) {
            out.printf("  %-48s %s%n", c.usage(), c.help());
        }
        out.printf("  %-48s %s%n", "<host> <command...>", "run a command on a host (host names become their IPs),"
                + " e.g. h1 ping -c1 h2; with an unquoted | ; & < > * ? $ ( it runs through sh -c as typed"
                + " (h1 ps -e|head, h1 ls *.txt); each command is a new process; Ctrl-C stops it");
    }
}
