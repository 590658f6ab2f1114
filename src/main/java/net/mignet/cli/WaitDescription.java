package net.mignet.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** What a thread of mignet is waiting for, in words, from where its stack is in mignet's code. */
final class WaitDescription {
    /** The first of these found from the top of the stack names the step. */
    private static final List<Map.Entry<String, String>> STEPS = List.of(
            Map.entry("net.mignet.app.AppManager", "the apps to stop"),
            Map.entry("net.mignet.app.", "an app to stop"),
            Map.entry("net.mignet.kernel.Cleaner", "processes to die and namespaces to be removed"),
            Map.entry("net.mignet.linkemu.", "the link engine to stop"),
            Map.entry("net.mignet.kernel.NftSession", "the nftables session to close"),
            Map.entry("net.mignet.migrate.", "a migration step"),
            Map.entry("net.mignet.kernel.Command", "a command to finish"));

    private WaitDescription() {
    }

    static String of(Thread thread) {
        List<StackTraceElement> ours = Arrays.stream(thread.getStackTrace())
                .filter(f -> f.getClassName().startsWith("net.mignet.") && !f.getMethodName().startsWith("lambda$"))
                .toList();
        if (ours.isEmpty()) {
            return "the JVM (" + thread.getState().toString().toLowerCase(java.util.Locale.ROOT) + ")";
        }
        String step = ours.stream().map(f -> STEPS.stream()
                        .filter(e -> f.getClassName().startsWith(e.getKey())).map(Map.Entry::getValue).findFirst())
                .flatMap(java.util.Optional::stream).findFirst().orElse("mignet");
        String where = ours.stream().limit(3).map(f -> simpleName(f.getClassName()) + "." + f.getMethodName())
                .collect(Collectors.joining(" <- "));
        return step + " (in " + where + ")";
    }

    private static String simpleName(String className) {
        return className.substring(Math.max(className.lastIndexOf('.'), className.lastIndexOf('$')) + 1);
    }
}
