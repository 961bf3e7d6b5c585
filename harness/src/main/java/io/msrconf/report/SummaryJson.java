package io.msrconf.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.msrconf.pipeline.RunListener;
import io.msrconf.util.AtomicFiles;
import io.msrconf.pipeline.RunSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The {@link RunSummary} as a JSON file. The tree is written and read field by field (not by data
 * binding) so a file from another tool or another format version is refused with a message that names
 * the file and the field, which is what {@code msrconf compare} shows a developer.
 */
public final class SummaryJson {

    /** Bumped whenever a field changes meaning or is removed, so an old reader refuses a new file. */
    public static final String FORMAT = "msrconf-summary/1";

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private SummaryJson() {
    }

    /** A listener on the pipeline that writes the run's summary to {@code file} when the run is done. */
    public static RunListener writerTo(Path file) {
        return new RunListener() {
            @Override
            public void runFinished(RunSummary summary) {
                write(summary, file);
            }
        };
    }

    /** Writes pretty JSON, creating the parent directories; environment keys sorted so files diff cleanly. */
    public static void write(RunSummary s, Path file) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        ObjectNode env = root.putObject("environment");
        new TreeMap<>(s.environment()).forEach(env::put);
        ArrayNode cases = root.putArray("cases");
        for (RunSummary.CaseEntry c : s.cases()) {
            ObjectNode n = cases.addObject();
            n.put("id", c.id());
            n.put("backend", c.backend());
            n.put("status", c.status().name());
            n.put("title", c.title());
            n.put("citation", c.citation());
            n.put("message", c.message());
            c.mismatchKinds().forEach(n.putArray("mismatchKinds")::add);
            c.observation().forEach(n.putArray("observation")::add);
        }
        try {
            AtomicFiles.write(file, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run summary " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a summary written by {@link #write}.
     *
     * @throws IllegalArgumentException when the file is not such a summary, naming the file and what is wrong
     * @throws UncheckedIOException     when the file cannot be read
     */
    public static RunSummary read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e, e);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not JSON: " + e.getOriginalMessage() + " (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        }
        if (root == null || !root.isObject()) {
            throw invalid(file, "", "expected a JSON object");
        }
        JsonNode format = root.get("format");
        if (format == null) {
            throw invalid(file, "format", "missing: not an msrconf run summary (expected \"format\": \"" + FORMAT + "\")");
        }
        if (!format.isTextual() || !format.asText().equals(FORMAT)) {
            throw invalid(file, "format", "unsupported format " + format + "; this msrconf reads \"" + FORMAT + "\"");
        }
        Map<String, String> environment = new LinkedHashMap<>();
        JsonNode env = field(file, root, "environment", "", JsonNode::isObject, "an object");
        env.fieldNames().forEachRemaining(name -> environment.put(name, text(file, env, name, "environment")));
        JsonNode cases = field(file, root, "cases", "", JsonNode::isArray, "an array");
        List<RunSummary.CaseEntry> entries = new ArrayList<>();
        Map<String, Integer> keys = new HashMap<>();
        for (int i = 0; i < cases.size(); i++) {
            String path = "cases[" + i + "]";
            RunSummary.CaseEntry entry = entry(file, cases.get(i), path);
            Integer first = keys.putIfAbsent(entry.key(), i);
            if (first != null) {
                throw invalid(file, path, "duplicate case " + entry.key() + " (first at cases[" + first + "])");
            }
            entries.add(entry);
        }
        return new RunSummary(environment, entries);
    }

    private static RunSummary.CaseEntry entry(Path file, JsonNode n, String path) {
        if (!n.isObject()) {
            throw invalid(file, path, "expected an object, got " + n.getNodeType().name().toLowerCase());
        }
        String status = text(file, n, "status", path);
        RunSummary.Status parsedStatus = Arrays.stream(RunSummary.Status.values()).filter(s -> s.name().equals(status))
                .findFirst()
                .orElseThrow(() -> invalid(file, path + ".status", "unknown status \"" + status + "\" (known: "
                        + Arrays.stream(RunSummary.Status.values()).map(Enum::name).collect(Collectors.joining(", ")) + ")"));
        return new RunSummary.CaseEntry(text(file, n, "id", path), text(file, n, "backend", path), parsedStatus,
                text(file, n, "title", path), text(file, n, "citation", path), text(file, n, "message", path),
                texts(file, n, "mismatchKinds", path), texts(file, n, "observation", path));
    }

    private static String text(Path file, JsonNode parent, String name, String path) {
        return field(file, parent, name, path, JsonNode::isTextual, "a string").asText();
    }

    private static List<String> texts(Path file, JsonNode parent, String name, String path) {
        JsonNode array = field(file, parent, name, path, JsonNode::isArray, "an array of strings");
        List<String> values = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            values.add(element(file, array, i, path + "." + name));
        }
        return values;
    }

    private static String element(Path file, JsonNode array, int index, String path) {
        JsonNode n = array.get(index);
        if (!n.isTextual()) {
            throw invalid(file, path + "[" + index + "]", "expected a string, got " + n.getNodeType().name().toLowerCase());
        }
        return n.asText();
    }

    private static JsonNode field(Path file, JsonNode parent, String name, String path,
                                  Predicate<JsonNode> ok, String what) {
        String fieldPath = path.isEmpty() ? name : path + "." + name;
        JsonNode n = parent.get(name);
        if (n == null) {
            throw invalid(file, fieldPath, "missing");
        }
        if (!ok.test(n)) {
            throw invalid(file, fieldPath, "expected " + what + ", got " + n.getNodeType().name().toLowerCase());
        }
        return n;
    }

    private static IllegalArgumentException invalid(Path file, String path, String message) {
        return new IllegalArgumentException(file + ": not a valid msrconf run summary: "
                + (path.isEmpty() ? "" : path + ": ") + message);
    }
}
