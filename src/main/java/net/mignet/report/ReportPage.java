package net.mignet.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes {@code report.html} from the CSV files of a results directory (and, from its {@code events.jsonl} when
 * there is one, the emulation's id, its links with their changes and the failed migrations): one self-contained
 * page with the data, Apache ECharts (built into mignet's jar by npm at build time) and the script that plots, so
 * it opens offline.
 */
public final class ReportPage {
    private static final String LIBRARY = "lib/dist/echarts.min.js";
    private static final Pattern SLOT = Pattern.compile("\\{\\{(\\w+)}}");

    private ReportPage() {
    }

    /** Reads the CSV files in {@code dir}, writes {@code dir/report.html} and returns its path. */
    public static Path write(Path dir) throws IOException {
        Path migrationsFile = dir.resolve(ResultsFiles.MIGRATIONS);
        Path requestsFile = dir.resolve(ResultsFiles.REQUESTS);
        if (!Files.exists(migrationsFile) && !Files.exists(requestsFile)) {
            throw new IllegalArgumentException(dir + " has neither " + ResultsFiles.MIGRATIONS + " nor "
                    + ResultsFiles.REQUESTS + "; give a results directory, e.g. mignet-results/<emulation-id>");
        }
        CsvTable migrations = Files.exists(migrationsFile) ? CsvTable.read(migrationsFile)
                : new CsvTable(List.of(), List.of());
        requireColumns(migrationsFile, migrations, List.of("migration", "app", "strategy", "from", "to", "started",
                "total_ms"));
        List<ClientRequest> requests = new ArrayList<>();
        if (Files.exists(requestsFile)) {
            CsvTable table = CsvTable.read(requestsFile);
            requireColumns(requestsFile, table, List.of("client", "seq", "sent", "replied", "retries"));
            for (Map<String, String> row : table.rows()) {
                try {
                    requests.add(ClientRequest.fromRow(row));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(requestsFile + ": row " + (requests.size() + 1) + " is not a"
                            + " request (" + e.getMessage() + "); a row holds client, seq, sent and replied (RFC"
                            + " 3339 times) and retries, as mignet writes them", e);
                }
            }
        }
        Path page = dir.resolve(ResultsFiles.REPORT);
        Path absolute = dir.toAbsolutePath().normalize();
        String directory = String.valueOf(absolute.getFileName() == null ? absolute : absolute.getFileName());
        RunEvents events = RunEvents.read(dir.resolve(ResultsFiles.EVENTS));
        String title = events.identity().title(directory);
        Map<String, Object> data;
        try {
            data = ReportData.of(title, directory, migrations, requests, events);
        } catch (java.time.format.DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException(migrationsFile + ": a value does not read as mignet writes it ("
                    + e.getMessage() + "); times are RFC 3339 (2026-12-03T16:35:00.123456789Z), durations numbers",
                    e);
        }
        Files.writeString(page, render(title, data), StandardCharsets.UTF_8);
        return page;
    }

    /** An edited file may lose a column the page is made from: said by name, not as a null deep inside. */
    private static void requireColumns(Path file, CsvTable table, List<String> needed) {
        if (table.rows().isEmpty()) {
            return;
        }
        List<String> missing = needed.stream().filter(c -> !table.header().contains(c)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(file + " lacks the column(s) " + String.join(", ", missing)
                    + ", which the report is made from; keep them when editing or joining (other columns may go"
                    + " or be added)");
        }
    }

    static String render(String title, Map<String, Object> data) {
        Map<String, String> slots = Map.of(
                "title", escapeHtml(title),
                "style", resource("report.css"),
                "data", Json.of(data),
                // A script element ends at the first "</script" whatever the JavaScript around it means.
                "library", resource(LIBRARY).replace("</script", "<\\/script"),
                "script", resource("report.js"));
        Matcher m = SLOT.matcher(resource("report-template.html"));
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = slots.get(m.group(1));
            if (value == null) {
                throw new IllegalStateException("report-template.html has an unknown slot " + m.group());
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String resource(String name) {
        try (InputStream in = ReportPage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("mignet's jar lacks " + name + " of its report; rebuild it (mvn"
                        + " package runs npm ci for the plotting library)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String escapeHtml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
