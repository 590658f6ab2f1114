package net.mignet.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The legend's name of each client series of the report: the client, and in an experiment what its run varied
 * ({@code client delay=40ms mem=128m}), so that a reader tells combinations apart without looking up run numbers.
 * A run without sweep values is named by its number; a name two series would share gets the run's number too.
 */
final class SeriesNames {
    private static final String SWEEP_PREFIX = "sweep_";

    private SeriesNames() {
    }

    /** One name per series, in order, each series given by one of its requests. */
    static List<String> of(List<ClientRequest> firstOfEach) {
        List<String> names = firstOfEach.stream().map(SeriesNames::name).toList();
        Map<String, Long> uses = names.stream().collect(Collectors.groupingBy(Function.identity(),
                Collectors.counting()));
        List<String> unique = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            String run = firstOfEach.get(i).run();
            boolean shared = uses.get(names.get(i)) > 1 && run != null && !run.isEmpty();
            unique.add(shared ? names.get(i) + " (run " + run + ")" : names.get(i));
        }
        return unique;
    }

    private static String name(ClientRequest r) {
        StringJoiner values = new StringJoiner(" ");
        r.sweep().forEach((column, value) -> {
            if (value != null && !value.isEmpty()) {
                values.add((column.startsWith(SWEEP_PREFIX) ? column.substring(SWEEP_PREFIX.length()) : column)
                        + "=" + value);
            }
        });
        if (values.length() > 0) {
            return r.client() + " " + values;
        }
        return r.run() == null || r.run().isEmpty() ? r.client() : r.client() + " (run " + r.run() + ")";
    }
}
