package io.msrconf.spec;

import io.msrconf.spec.YamlReader.YamlMap;
import io.msrconf.util.SafeFiles;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Parses the known-deviations file ({@code specs/known-deviations/deviations.yaml}) with the spec
 * files' conventions: plain YAML composed into nodes (never constructed), every problem collected as a
 * {@link SpecError} with its line, and only the entries without errors returned. It lives here because
 * {@link YamlReader} does; {@code io.msrconf.pipeline.KnownDeviations} turns its entries into
 * {@code KnownDeviation}s, so this package does not depend on the pipeline package.
 */
public final class KnownDeviationsParser {

    static final List<String> FILE_KEYS = List.of("deviations");
    static final List<String> ENTRY_KEYS = List.of("case", "backend", "kernels", "kvm-module", "evidence", "fix");
    private static final String DEFAULT_BACKEND = "kvm";
    private static final Map<String, String> BACKENDS = new TreeMap<>(Map.of("kvm", "kvm", "emulator", "emulator"));

    /** One valid entry; {@code kvmModule} and {@code fix} are null when not given. */
    public record Entry(String caseId, String backend, KernelRange kernels, Pattern kvmModule, String evidence, String fix,
                        SourceRef source) {
    }

    public record Parsed(List<Entry> entries, List<SpecError> errors) {
        public Parsed {
            entries = List.copyOf(entries);
            errors = List.copyOf(errors);
        }
    }

    private final YamlReader reader;

    private KnownDeviationsParser(Path file) {
        this.reader = new YamlReader(file);
    }

    /** Reads the file; a missing file means no known deviations, not an error. */
    public static Parsed load(Path file) {
        String text;
        try {
            text = SafeFiles.readUtf8(file, SpecLoader.MAX_FILE_BYTES);
        } catch (NoSuchFileException e) {
            return new Parsed(List.of(), List.of());
        } catch (IOException e) {
            return fileError(file, e.getMessage());
        }
        return parse(text, file);
    }

    /** Parses the text as if it were {@code file}, which is never read. */
    public static Parsed parse(String yaml, Path file) {
        Node root;
        try {
            root = new Compose(SpecLoader.settings()).composeString(yaml).orElse(null);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().or(e::getContextMark).map(m -> m.getLine() + 1).orElse(1);
            return new Parsed(List.of(), List.of(new SpecError(new SourceRef(file, line), "",
                    "YAML syntax error: " + e.getProblem().strip())));
        } catch (YamlEngineException e) {
            return fileError(file, "YAML error: " + e.getMessage());
        }
        if (root == null) {
            return fileError(file, "empty file: write \"deviations: []\" for none");
        }
        KnownDeviationsParser parser = new KnownDeviationsParser(file);
        List<Entry> entries = parser.file(root);
        return new Parsed(entries, parser.reader.errors());
    }

    private static Parsed fileError(Path file, String message) {
        return new Parsed(List.of(), List.of(new SpecError(new SourceRef(file, 1), "", message)));
    }

    private List<Entry> file(Node root) {
        YamlMap top = reader.map(root, "", FILE_KEYS);
        Node list = top == null ? null : top.require("deviations");
        List<Node> items = list == null ? null : reader.list(list, "deviations", false);
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; items != null && i < items.size(); i++) {
            Entry e = entry(items.get(i), YamlReader.item("deviations", i));
            if (e != null) {
                entries.add(e);
            }
        }
        return entries;
    }

    private Entry entry(Node node, String path) {
        int before = reader.errorCount();
        YamlMap m = reader.map(node, path, ENTRY_KEYS);
        if (m == null) {
            return null;
        }
        String caseId = requiredText(m, "case");
        String backend = m.has("backend") ? reader.choice(m.get("backend"), m.path("backend"), "a backend", BACKENDS)
                : DEFAULT_BACKEND;
        KernelRange kernels = m.has("kernels") ? reader.kernelRange(m.get("kernels"), m.path("kernels")) : KernelRange.DEFAULT;
        Pattern kvmModule = m.has("kvm-module") ? regex(m.get("kvm-module"), m.path("kvm-module")) : null;
        String evidence = requiredText(m, "evidence");
        String fix = m.has("fix") ? reader.text(m.get("fix"), m.path("fix")) : null;
        return reader.errorCount() == before
                ? new Entry(caseId, backend, kernels, kvmModule, evidence.strip(), fix == null ? null : fix.strip(), reader.ref(node))
                : null;
    }

    private String requiredText(YamlMap m, String key) {
        Node node = m.require(key);
        return node == null ? null : reader.text(node, m.path(key));
    }

    private Pattern regex(Node node, String path) {
        String text = reader.text(node, path);
        if (text == null) {
            return null;
        }
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            reader.error(node, path, "not a valid regex: " + e.getDescription() + " near index " + e.getIndex());
            return null;
        }
    }

}
