package net.mignet.topo;

import static net.mignet.topo.SourceProblems.NO_LINE;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Loads a topology file (containerlab-like YAML). Every problem names {@code file:line}, what is wrong and what
 * to write instead, and all problems found are reported together in one {@link TopologyException}.
 *
 * <pre>
 * name: service-migration
 * hosts:
 *   h1: {ip: 10.0.0.11/24}
 * switches:
 *   s1:
 *     flows:
 *       - in_port=s1-h1 actions=output:s1-h2
 * links:
 *   - ends: [h1, s1]
 *   - ends: ["h2:h2-s1", {node: s1, intf: s1-h2}]
 *     bw: 1000
 *     delay: 5ms
 * </pre>
 */
public final class YamlTopologyLoader {
    /** Far more than a topology file needs, far less than what exhausts a thread's stack. */
    static final int MAX_NESTING = 64;
    /** Bounds the time a load takes (the YAML scanner reads a few MB per second). */
    static final int MAX_CHARACTERS = 16 * 1024 * 1024;
    static final String READER_FAILED = "the YAML reader failed on this file";

    private YamlTopologyLoader() {
    }

    public static Topology load(Path file) {
        return loadLab(file).topology();
    }

    /** The topology and the apps its {@code apps:} section deploys. */
    public static Lab loadLab(Path file) {
        // Reading a directory fails with a bare "Is a directory" IOException: say what was expected instead.
        if (Files.isDirectory(file)) {
            throw new TopologyException(file + ": is a directory, not a topology file; give the path of a YAML"
                    + " topology file, e.g. examples/two-hosts.yaml");
        }
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new TopologyException(file + ": no such file; check the path"
                    + (file.isAbsolute() ? "" : " (it is relative to " + Path.of("").toAbsolutePath() + ")"));
        } catch (CharacterCodingException e) {
            throw new TopologyException(file + ": is not UTF-8 text; save the topology file as UTF-8");
        } catch (IOException e) {
            throw new TopologyException(file + ": cannot be read: " + e);
        }
        return parseLab(yaml, file.toString());
    }

    /** @param sourceName what messages call the text, usually its file name; also gives the default topology name */
    public static Topology parse(String yaml, String sourceName) {
        return parseLab(yaml, sourceName).topology();
    }

    public static Lab parseLab(String yaml, String sourceName) {
        return parseLab(yaml, sourceName, null);
    }

    /** @param run which run of a sweep the text is, for messages ({@code file:line: ... (in the sweep's run ...)}) */
    private static Lab parseLab(String yaml, String sourceName, String run) {
        SourceProblems problems = new SourceProblems(sourceName, run);
        Node root = compose(yaml, sourceName, problems);
        YamlDraftReader reader = new YamlDraftReader(problems);
        TopologyDraft draft = reader.read(root, defaultName(sourceName));
        List<TimedStep> timeline = new YamlTimelineReader(reader, problems).readTimeline(root);
        Lab lab = DraftAssembler.assembleLab(draft, problems);
        new TimelineReferences(lab.topology(), lab.apps(), problems).check(timeline);
        problems.throwIfAny();
        return new Lab(lab.topology(), lab.apps(), timeline);
    }

    /**
     * A topology file as an experiment: one {@link Lab} per combination of its {@code sweep:} (one when it has
     * none), each read from the file with {@code ${name}} replaced by the combination's value, so every
     * problem still names its line.
     */
    public static List<SweepRun> loadExperiment(Path file) {
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (IOException e) {
            loadLab(file); // says what is wrong with the file in the words loadLab uses
            throw new TopologyException(file + ": cannot be read: " + e);
        }
        return parseExperiment(yaml, file.toString());
    }

    public static List<SweepRun> parseExperiment(String yaml, String sourceName) {
        SourceProblems problems = new SourceProblems(sourceName);
        // Placeholders may sit where YAML would read their braces ('{bw: ${bw}}'): read the sweep from a copy
        // that has a plain value in their place.
        Node root = compose(SweepPlaceholders.neutralized(yaml), sourceName, problems);
        Sweep sweep = new YamlTimelineReader(new YamlDraftReader(problems), problems).readSweep(root);
        problems.throwIfAny();
        new SweepPlaceholders(sweep, sourceName).check(yaml);
        List<SweepRun> runs = new ArrayList<>();
        for (Map<String, String> values : sweep.combinations()) {
            String text = SweepPlaceholders.substitute(yaml, values);
            // The run beside each message, not inside the file's name: file:line stays one for editors to open.
            String run = values.isEmpty() ? null : "in the sweep's run " + values;
            runs.add(new SweepRun(values, parseLab(text, sourceName, run)));
        }
        return List.copyOf(runs);
    }

    /** Parses without building Java objects, so every value keeps its line; fails on malformed YAML. */
    private static Node compose(String yaml, String sourceName, SourceProblems problems) {
        // The YAML 1.2 core schema: 'yes' and 'on' are text, '~' and 'null' are null; duplicate keys are kept
        // in the node tree, so YamlDraftReader reports them instead of one silently replacing the other.
        LoadSettings settings = LoadSettings.builder().setLabel(sourceName).setSchema(new CoreSchema()).build();
        if (yaml.length() > MAX_CHARACTERS) {
            throw new TopologyException(sourceName + ": the file has " + yaml.length() + " characters; a topology"
                    + " file may have at most " + MAX_CHARACTERS + " (100 000 hosts and their links need about 8 M)");
        }
        checkSurrogates(yaml, sourceName);
        Optional<Node> root;
        try {
            checkNesting(yaml, settings, sourceName);
            root = new Compose(settings).composeString(yaml);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().or(e::getContextMark).map(m -> m.getLine() + 1).orElse(NO_LINE);
            String context = e.getContext() == null ? ""
                    : " (" + e.getContext() + e.getContextMark().map(YamlTopologyLoader::onLine).orElse("") + ")";
            // snakeyaml words some problems as the second half of "expected X, but found Y".
            String problem = Objects.requireNonNullElse(e.getProblem(), "syntax error").replaceFirst("^but ", "");
            problems.add(line, "the YAML is malformed: " + problem + context + "; check the indentation, the quotes and that each 'key: value' has a space after"
                    + " the colon");
            throw problems.toException();
        } catch (YamlEngineException e) {
            throw new TopologyException(sourceName + ": the YAML cannot be read: " + e.getMessage()
                    + "; write the topology out plainly, see examples/two-hosts.yaml");
        } catch (TopologyException e) {
            throw e;
        } catch (RuntimeException e) {
            // The YAML library failing on odd input is still the input's problem for the user; the fuzz test
            // looks for this wording, so such a failure is found and reported upstream rather than hidden.
            throw new TopologyException(sourceName + ": " + READER_FAILED + " (" + e + "); look for unusual"
                    + " characters in the file");
        }
        if (root.isEmpty() || root.get() instanceof ScalarNode s && Tag.NULL.equals(s.getTag())) {
            throw new TopologyException(sourceName + ": the file is empty; a topology file lists 'hosts:',"
                    + " 'switches:' and 'links:', see examples/two-hosts.yaml");
        }
        return root.get();
    }

    /**
     * Refuses nesting deeper than {@link #MAX_NESTING} before the composer, which recurses once per level and
     * overflowed the stack at about 2000 levels. The parser's events come from a loop, not recursion.
     */
    private static void checkNesting(String yaml, LoadSettings settings, String sourceName) {
        int depth = 0;
        for (Event event : new Parse(settings).parseString(yaml)) {
            switch (event.getEventId()) {
                case SequenceStart, MappingStart -> {
                    if (++depth > MAX_NESTING) {
                        int line = event.getStartMark().map(m -> m.getLine() + 1).orElse(NO_LINE);
                        throw new TopologyException(sourceName + (line == NO_LINE ? "" : ":" + line) + ": the YAML"
                                + " nests lists and mappings more than " + MAX_NESTING + " levels deep; a topology"
                                + " file needs about 5, see examples/two-hosts.yaml");
                    }
                }
                case SequenceEnd, MappingEnd -> depth--;
                default -> {
                }
            }
        }
    }

    /**
     * Text from a file is valid UTF-16 (its UTF-8 was decoded strictly); a string handed to {@link #parse} may
     * hold unpaired surrogates, on which the YAML reader fails with an index error.
     */
    private static void checkSurrogates(String yaml, String sourceName) {
        int line = 1;
        for (int i = 0; i < yaml.length(); i++) {
            char c = yaml.charAt(i);
            if (c == '\n') {
                line++;
            } else if (Character.isHighSurrogate(c) && i + 1 < yaml.length()
                    && Character.isLowSurrogate(yaml.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new TopologyException(sourceName + ":" + line + ": the text holds an unpaired UTF-16"
                        + " surrogate, which is no character; save the topology file as UTF-8");
            }
        }
    }

    private static String onLine(Mark mark) {
        return " on line " + (mark.getLine() + 1);
    }

    /** The file name without directory and extension, made into a valid topology name. */
    static String defaultName(String sourceName) {
        String base = sourceName.substring(Math.max(sourceName.lastIndexOf('/'), sourceName.lastIndexOf('\\')) + 1);
        int dot = base.lastIndexOf('.');
        if (dot > 0) {
            base = base.substring(0, dot);
        }
        String name = base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+", "");
        name = name.substring(0, Math.min(name.length(), 24)).replaceAll("-+$", "");
        return name.isEmpty() ? "topology" : name;
    }
}
