package net.mignet.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.mignet.app.App;
import net.mignet.app.LogLine;
import net.mignet.apps.KvClient;
import net.mignet.apps.KvProtocol;
import net.mignet.apps.KvRequestRecord;

/**
 * What a key-value client's records say about the service: no request lost or failed, no write version handed
 * out twice (a write applied twice, or state lost and counted again), and no read older than a write the
 * client had already seen acknowledged when it sent the read.
 */
final class KvClientCheck {
    private static final int MOST_SHOWN = 5;

    private KvClientCheck() {
    }

    static boolean isKvClient(App app) {
        return app.argv().contains(KvClient.class.getName());
    }

    static List<String> problems(App client) {
        return problems(client.name(), records(client));
    }

    static List<String> problems(String name, List<KvRequestRecord> records) {
        List<String> problems = new ArrayList<>();
        if (records.isEmpty()) {
            return List.of(name + ": recorded no request");
        }
        long lost = records.stream().filter(r -> r.result().equals("lost")).count();
        long failed = records.stream().filter(r -> r.result().equals("error")).count();
        if (lost > 0) {
            problems.add(name + ": " + lost + " of " + records.size() + " requests lost");
        }
        if (failed > 0) {
            problems.add(name + ": " + failed + " requests answered with an error");
        }
        List<String> wrong = new ArrayList<>();
        Map<Long, KvRequestRecord> writesByVersion = new HashMap<>();
        for (KvRequestRecord r : records) {
            if (isWrite(r) && r.result().equals("ok")) {
                KvRequestRecord other = writesByVersion.putIfAbsent(r.version(), r);
                if (other != null) {
                    wrong.add("requests " + other.seq() + " and " + r.seq() + " were both acknowledged as version "
                            + r.version());
                }
            }
        }
        wrong.addAll(staleReads(records));
        wrong.stream().limit(MOST_SHOWN).forEach(w -> problems.add(name + ": " + w));
        if (wrong.size() > MOST_SHOWN) {
            problems.add(name + ": and " + (wrong.size() - MOST_SHOWN) + " more wrong answers");
        }
        return problems;
    }

    /** Reads answered with a version below that of a write to their key acknowledged before they were sent. */
    private static List<String> staleReads(List<KvRequestRecord> records) {
        List<KvRequestRecord> acknowledgedWrites = records.stream()
                .filter(r -> isWrite(r) && r.result().equals("ok"))
                .sorted(Comparator.comparingLong(KvRequestRecord::repliedNanos)).toList();
        List<KvRequestRecord> reads = records.stream()
                .filter(r -> r.op() == KvProtocol.Op.GET && r.answered() && !r.result().equals("error"))
                .sorted(Comparator.comparingLong(KvRequestRecord::sentNanos)).toList();
        Map<String, Long> seen = new HashMap<>();
        List<String> wrong = new ArrayList<>();
        int w = 0;
        for (KvRequestRecord read : reads) {
            while (w < acknowledgedWrites.size() && acknowledgedWrites.get(w).repliedNanos() < read.sentNanos()) {
                KvRequestRecord write = acknowledgedWrites.get(w++);
                seen.merge(write.key(), write.version(), Math::max);
            }
            Long known = seen.get(read.key());
            if (known != null && read.version() < known) {
                wrong.add("get " + read.key() + " (request " + read.seq() + ") answered version " + read.version()
                        + " after version " + known + " had been acknowledged");
            }
        }
        return wrong;
    }

    private static boolean isWrite(KvRequestRecord r) {
        return r.op() == KvProtocol.Op.PUT || r.op() == KvProtocol.Op.DELETE;
    }

    /** From the file given with {@code --record}, else from the client's standard output. */
    private static List<KvRequestRecord> records(App client) {
        Stream<String> lines = recordFile(client.argv()).map(file -> {
            try {
                return Files.readAllLines(file).stream();
            } catch (IOException e) {
                throw new IllegalStateException(client.name() + ": cannot read its records: " + e.getMessage(), e);
            }
        }).orElseGet(() -> client.log().lines(LogLine.Stream.STDOUT).stream().map(LogLine::text));
        return lines.map(KvRequestRecord::parse).filter(java.util.Objects::nonNull).toList();
    }

    private static java.util.Optional<Path> recordFile(List<String> argv) {
        for (int i = 0; i < argv.size(); i++) {
            if (argv.get(i).startsWith("--record=")) {
                return java.util.Optional.of(Path.of(argv.get(i).substring("--record=".length())));
            }
            if (argv.get(i).equals("--record") && i + 1 < argv.size()) {
                return java.util.Optional.of(Path.of(argv.get(i + 1)));
            }
        }
        return java.util.Optional.empty();
    }
}
