package io.msrconf.spec;

import io.msrconf.util.SafeFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.ConstructNode;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;
import org.snakeyaml.engine.v2.schema.CoreSchema;
import org.snakeyaml.engine.v2.schema.Schema;

/**
 * Loads the YAML spec files into {@link Case}s. A spec is untrusted input: it is only composed into a
 * node tree (never constructed into objects), may not use tags, and cannot make the loader read any
 * other file. Errors are collected, never thrown, so a run reports them all and goes on with the valid
 * cases; see {@link SpecSet}.
 */
public final class SpecLoader {

    public static final String EXTENSION = ".yaml";
    /** Larger files are reported, not read. */
    public static final int MAX_FILE_BYTES = 1 << 20;
    /** Anchors are handy for repeated filters; the limit keeps alias expansion ("billion laughs") small. */
    public static final int MAX_ALIASES = 20;

    /**
     * The YAML 1.2 core schema (0x hex integers, true/false, null), except that {@code <<} is an
     * ordinary key, not a merge that would silently override keys, and {@code ${VAR}} is ordinary
     * text, not an environment lookup. No tag constructors: nothing is ever constructed.
     */
    private static final Schema SPEC_SCHEMA = new Schema() {
        private final ScalarResolver core = new CoreSchema().getScalarResolver();

        @Override
        public ScalarResolver getScalarResolver() {
            return (value, implicit) -> {
                Tag tag = core.resolve(value, implicit);
                return tag.equals(Tag.MERGE) || tag.equals(Tag.ENV_TAG) ? Tag.STR : tag;
            };
        }

        @Override
        public Map<Tag, ConstructNode> getSchemaTagConstructors() {
            return Map.of();
        }
    };

    private SpecLoader() {
    }

    /**
     * Loads every {@code *.yaml} file directly in {@code dir}, in file name order, with ids unique across
     * all of them. Hidden files are ignored; a {@code *.yml} file or a {@code *.yaml} entry that is not a
     * regular file (symlinks are not followed) is an error rather than silently skipped.
     *
     * @throws UncheckedIOException if the directory cannot be listed: a setup problem, not a spec error
     */
    public static SpecSet load(Path dir) {
        List<Path> files;
        try (Stream<Path> entries = Files.list(dir)) {
            files = entries.filter(p -> isSpecName(p) || p.getFileName().toString().endsWith(".yml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list spec directory " + dir, e);
        }
        Session session = new Session();
        for (Path file : files) {
            session.loadFile(file);
        }
        return session.result();
    }

    /** Loads one spec file (the area must match its name). */
    public static SpecSet loadFile(Path file) {
        Session session = new Session();
        session.loadFile(file);
        return session.result();
    }

    /** Parses spec text as if it were the file {@code nameForMessages}, which is never read. */
    public static SpecSet parse(String yaml, Path nameForMessages) {
        Session session = new Session();
        session.parse(yaml, nameForMessages);
        return session.result();
    }

    /** Whether a file of the spec directory holds cases: every *.yaml but the rule table ({@link RuleBook#FILE}). */
    public static boolean isSpecName(Path path) {
        String name = path.getFileName().toString();
        return name.endsWith(EXTENSION) && !name.startsWith(".") && !name.equals(RuleBook.FILE);
    }

    /** The area a file must declare: its name without {@code .yaml}. */
    static String areaOf(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(EXTENSION) ? name.substring(0, name.length() - EXTENSION.length()) : name;
    }

    /** One load: the cases and errors so far, and the ids seen in any of its files. */
    private static final class Session {
        private final List<Case> cases = new ArrayList<>();
        private final List<SpecError> errors = new ArrayList<>();
        private final Map<String, SourceRef> ids = new HashMap<>();

        SpecSet result() {
            return new SpecSet(cases, errors);
        }

        private void fileError(Path file, String message) {
            errors.add(new SpecError(new SourceRef(file, 1), "", message));
        }

        void loadFile(Path file) {
            String name = file.getFileName().toString();
            if (name.endsWith(".yml")) {
                fileError(file, "spec files end in .yaml: rename it to " + name.substring(0, name.length() - 4)
                        + EXTENSION + " (not loaded)");
                return;
            }
            String text;
            try {
                text = SafeFiles.readUtf8(file, MAX_FILE_BYTES);
            } catch (IOException e) {
                fileError(file, e.getMessage());
                return;
            }
            parse(text, file);
        }

        void parse(String yaml, Path file) {
            // A char is at most one code point: past the byte limit in chars means past it in bytes too.
            if (yaml.length() > MAX_FILE_BYTES) {
                fileError(file, "file is larger than 1 MiB; not read");
                return;
            }
            List<Node> documents = new ArrayList<>();
            try {
                for (Node document : new Compose(settings()).composeAllFromString(yaml)) {
                    documents.add(document);
                    if (documents.size() > 1) {
                        errors.add(new SpecError(new SourceRef(file, YamlReader.line(document)), "",
                                "a spec file holds one YAML document; this is a second one"));
                        return;
                    }
                }
            } catch (MarkedYamlEngineException e) {
                Mark mark = e.getProblemMark().or(e::getContextMark).orElse(null);
                errors.add(new SpecError(new SourceRef(file, mark == null ? 1 : mark.getLine() + 1), "", syntaxMessage(e)));
                return;
            } catch (YamlEngineException e) {
                // Unmarked: e.g. the alias limit.
                fileError(file, "YAML error: " + e.getMessage());
                return;
            }
            if (documents.isEmpty()) {
                fileError(file, "empty file: a spec file is a map with keys " + String.join(", ", SpecFileParser.FILE_KEYS));
                return;
            }
            YamlReader reader = new YamlReader(file);
            cases.addAll(new SpecFileParser(reader, ids).parse(documents.get(0), areaOf(file)));
            errors.addAll(reader.errors());
        }
    }

    static String syntaxMessage(MarkedYamlEngineException e) {
        String problem = e.getProblem().strip();
        StringBuilder message = new StringBuilder("YAML syntax error: ").append(problem);
        e.getProblemMark().ifPresent(m -> message.append(" at column ").append(m.getColumn() + 1));
        String context = e.getContext();
        if (context != null && !context.isBlank()) {
            message.append(" (").append(context.strip());
            e.getContextMark().ifPresent(m -> message.append(" at line ").append(m.getLine() + 1));
            message.append(')');
        }
        hint(problem).ifPresent(h -> message.append("; hint: ").append(h));
        return message.toString();
    }

    /** What usually causes a YAML error in a spec file, and how to write it instead. */
    private static java.util.Optional<String> hint(String problem) {
        if (problem.startsWith("mapping values are not allowed here")) {
            return java.util.Optional.of("\": \" inside an unquoted value starts a mapping; quote the value,"
                    + " e.g. title: \"Denied: reads\"");
        }
        if (problem.contains("\\t(TAB)")) {
            return java.util.Optional.of("indent with spaces");
        }
        if (problem.startsWith("found undefined alias")) {
            return java.util.Optional.of("a value that starts with * is an alias; quote it");
        }
        return java.util.Optional.empty();
    }

    /** The load settings of every YAML input (specs, known deviations): the safe schema and the limits. */
    static LoadSettings settings() {
        return LoadSettings.builder()
                .setSchema(SPEC_SCHEMA)
                // Both only matter when constructing, which never happens here: YamlReader finds duplicate
                // keys in the node tree itself, and the format has no recursive structures.
                .setAllowDuplicateKeys(false)
                .setAllowRecursiveKeys(false)
                .setMaxAliasesForCollections(MAX_ALIASES)
                .setCodePointLimit(MAX_FILE_BYTES)
                .setParseComments(false)
                .build();
    }

    /** The spec format's word for where a bitmap lies ({@code memory: short}), for the code that writes cases. */
    public static String bitmapMemoryName(io.msrconf.filter.BitmapMemory memory) {
        return SpecFileParser.bitmapMemoryName(memory);
    }
}
