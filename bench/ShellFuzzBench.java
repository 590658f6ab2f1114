// The shell-line fuzz test at length: 10 000 hostile lines (truncations, wrong types, extreme numbers, keyword
// names, lines up to 200 KB, binary junk, unknown verbs) made from the frozen seeds beside the test, fed to the
// shell's dispatcher against one running single,3 emulation. Fails (exit 1) on a stack trace or internal error in
// the output, a line that hangs, a broken network (pingall) or a changed namespace count.
//
//     sudo bench/run ShellFuzzBench [lines] [seed]
//
// The fuzzer lives with the tests (src/test/java/net/mignet/cli/ShellFuzz.java), so that the suite's 2 000 and
// this run are the same code: it is loaded from target/test-classes, which `mvn package` compiles.

import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

void main(String[] args) throws Exception {
    int lines = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 20261130L;
    Path testClasses = Path.of("target/test-classes");
    if (!Files.exists(testClasses.resolve("net/mignet/cli/ShellFuzz.class"))) {
        System.err.println("ShellFuzzBench: no compiled fuzzer in " + testClasses.toAbsolutePath()
                + "; build it with: mvn -o -q test-compile (or ./run-tests)");
        System.exit(2);
    }
    ClassLoader loader = new URLClassLoader(new URL[] {testClasses.toUri().toURL()},
            ClassLoader.getSystemClassLoader());
    Class<?> fuzz = Class.forName("net.mignet.cli.ShellFuzz", true, loader);
    Method run = fuzz.getMethod("run", int.class, long.class, PrintStream.class);
    System.out.printf(Locale.ROOT, "shell fuzz: %d lines, seed %d%n", lines, seed);
    Object r = run.invoke(null, lines, seed, System.out);
    Duration took = (Duration) part(r, "took");
    @SuppressWarnings("unchecked")
    List<String> problems = (List<String>) part(r, "problems");
    System.out.printf(Locale.ROOT, "%nlines:               %d in %.1f s (%.0f lines/s)%n", lines,
            took.toMillis() / 1000.0, lines * 1000.0 / Math.max(1, took.toMillis()));
    System.out.printf(Locale.ROOT, "stopped like Ctrl-C: %d%n", (Integer) part(r, "stopped"));
    System.out.printf(Locale.ROOT, "its namespaces:      %d up, %d after fuzzing, %d left after teardown%n",
            (Integer) part(r, "namespacesUp"), (Integer) part(r, "namespacesAfterFuzzing"),
            (Integer) part(r, "namespacesLeft"));
    System.out.println("pingall afterwards:  " + ((String) part(r, "pingall")).lines()
            .filter(l -> l.contains("Results")).findFirst().orElse("(none)"));
    System.out.println("problems:            " + problems.size());
    problems.stream().limit(20).forEach(p -> System.out.println("  " + p));
    Path results = Path.of("bench/results/ShellFuzzBench-" + System.currentTimeMillis() + ".txt");
    Files.createDirectories(results.getParent());
    Files.writeString(results, String.format(Locale.ROOT, "lines=%d seed=%d seconds=%.1f stopped=%d problems=%d%n%s%n",
            lines, seed, took.toMillis() / 1000.0, (Integer) part(r, "stopped"), problems.size(),
            String.join("\n", problems)));
    System.out.println("raw: " + results);
    System.exit((Boolean) part(r, "clean") ? 0 : 1);
}

Object part(Object record, String name) throws Exception {
    return record.getClass().getMethod(name).invoke(record);
}
