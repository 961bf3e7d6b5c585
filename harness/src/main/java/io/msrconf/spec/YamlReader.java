package io.msrconf.spec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Typed access to a composed YAML node tree of one file. Every accessor records what is wrong as a
 * {@link SpecError} and returns null instead of throwing, so a single pass reports every problem.
 */
final class YamlReader {

    private static final List<String> KERNEL_KEYS = List.of("since", "before", "backported");
    private static final Pattern VERSION = Pattern.compile("\\d{1,4}\\.\\d{1,4}(?:\\.\\d{1,4})?");
    static final BigInteger U8_MAX = BigInteger.valueOf(0xff);
    static final BigInteger U32_MAX = BigInteger.valueOf(0xffff_ffffL);
    static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private static final Set<Tag> SCALAR_TAGS = Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL);
    private static final Pattern INTEGER = Pattern.compile("([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|([0-9]+))");
    private static final int MAX_QUOTED = 60;

    private final Path file;
    private final List<SpecError> errors = new ArrayList<>();

    YamlReader(Path file) {
        this.file = file;
    }

    List<SpecError> errors() {
        return errors;
    }

    int errorCount() {
        return errors.size();
    }

    SourceRef ref(Node node) {
        return new SourceRef(file, line(node));
    }

    static int line(Node node) {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(1);
    }

    void error(Node at, String path, String message) {
        errors.add(new SpecError(ref(at), path, message));
    }

    static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    static String item(String path, int index) {
        return path + "[" + index + "]";
    }

    /** The node as a map whose keys must all be in {@code keys} (unknown and duplicate keys are errors). */
    YamlMap map(Node node, String path, List<String> keys) {
        if (!tagOk(node, path)) {
            return null;
        }
        if (!(node instanceof MappingNode mapping)) {
            error(node, path, "expected a map, got " + describe(node));
            return null;
        }
        YamlMap map = new YamlMap(mapping, path);
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalarKey)) {
                error(keyNode, path, "keys must be names, got " + describe(keyNode));
                continue;
            }
            if (!tagOk(keyNode, path)) {
                continue;
            }
            String key = scalarKey.getValue();
            String keyPath = child(path, key);
            if (!keys.contains(key)) {
                error(keyNode, keyPath, "unknown key; allowed: " + String.join(", ", keys));
            } else if (map.values.containsKey(key)) {
                error(keyNode, keyPath, "duplicate key (first at line " + map.keyLines.get(key) + ")");
            } else {
                map.values.put(key, tuple.getValueNode());
                map.keyLines.put(key, line(keyNode));
            }
        }
        return map;
    }

    /** The names of a map node's keys, before choosing which keys are allowed (empty for a non-map). */
    static List<String> keyNames(Node node) {
        List<String> names = new ArrayList<>();
        if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode key) {
                    names.add(key.getValue());
                }
            }
        }
        return names;
    }

    List<Node> list(Node node, String path, boolean nonEmpty) {
        if (!tagOk(node, path)) {
            return null;
        }
        if (!(node instanceof SequenceNode sequence)) {
            error(node, path, "expected a list, got " + describe(node));
            return null;
        }
        if (nonEmpty && sequence.getValue().isEmpty()) {
            error(node, path, "must not be empty");
            return null;
        }
        return sequence.getValue();
    }

    /** Non-blank text; any scalar but null counts, so "title: 42" is the text "42". */
    String text(Node node, String path) {
        if (!tagOk(node, path)) {
            return null;
        }
        if (!(node instanceof ScalarNode scalar) || scalar.getTag().equals(Tag.NULL)) {
            error(node, path, "expected text, got " + describe(node));
            return null;
        }
        if (scalar.getValue().isBlank()) {
            error(node, path, "must not be blank");
            return null;
        }
        return scalar.getValue();
    }

    Boolean bool(Node node, String path) {
        if (!tagOk(node, path)) {
            return null;
        }
        if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.BOOL)) {
            return Boolean.parseBoolean(scalar.getValue());
        }
        error(node, path, "expected true or false, got " + describe(node));
        return null;
    }

    Integer u8(Node node, String path) {
        BigInteger v = unsigned(node, path, U8_MAX, "an unsigned 8-bit integer");
        return v == null ? null : v.intValue();
    }

    /** A u32 as its int bit pattern: 0xffffffff is -1. */
    Integer u32(Node node, String path) {
        BigInteger v = unsigned(node, path, U32_MAX, "an unsigned 32-bit integer");
        return v == null ? null : v.intValue();
    }

    /** A u64 as its long bit pattern. */
    Long u64(Node node, String path) {
        BigInteger v = unsigned(node, path, U64_MAX, "an unsigned 64-bit integer");
        return v == null ? null : v.longValue();
    }

    private BigInteger unsigned(Node node, String path, BigInteger max, String what) {
        if (!tagOk(node, path)) {
            return null;
        }
        BigInteger v = null;
        // Quoted numbers ("0x10") are accepted too; floats, booleans and null are not.
        if (isInteger(node)) {
            v = parseInteger(((ScalarNode) node).getValue().strip());
        }
        if (v == null || v.signum() < 0 || v.compareTo(max) > 0) {
            error(node, path, "expected " + what + ", got " + describe(node));
            return null;
        }
        return v;
    }

    /** Whether the node is a scalar that reads as an integer (of any size or sign). */
    static boolean isInteger(Node node) {
        return node instanceof ScalarNode scalar && (scalar.getTag().equals(Tag.INT) || scalar.getTag().equals(Tag.STR))
                && parseInteger(scalar.getValue().strip()) != null;
    }

    /** Decimal, 0x hex or 0o octal with an optional sign, as the YAML 1.2 core schema writes integers. */
    static BigInteger parseInteger(String text) {
        Matcher m = INTEGER.matcher(text);
        if (!m.matches()) {
            return null;
        }
        BigInteger v = m.group(2) != null ? new BigInteger(m.group(2), 16)
                : m.group(3) != null ? new BigInteger(m.group(3), 8) : new BigInteger(m.group(4));
        return m.group(1).equals("-") ? v.negate() : v;
    }

    /** One of a fixed set of names; the message lists them in the map's order. */
    <T> T choice(Node node, String path, String what, Map<String, T> choices) {
        if (!tagOk(node, path)) {
            return null;
        }
        if (node instanceof ScalarNode scalar && !scalar.getTag().equals(Tag.NULL)) {
            T value = choices.get(scalar.getValue());
            if (value != null) {
                return value;
            }
        }
        error(node, path, "expected " + what + " (one of " + String.join(", ", choices.keySet()) + "), got "
                + describe(node));
        return null;
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
    }

    /** Whether the node is the plain or quoted word {@code word}. */
    static boolean isWord(Node node, String word) {
        return node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.STR) && scalar.getValue().equals(word);
    }

    /**
     * Spec files are plain data: the core schema's tags only. Composing never constructs objects,
     * but a tag like {@code !foo} or {@code !!binary} means the author expects something this
     * format does not do, so it is an error rather than ignored.
     */
    boolean tagOk(Node node, String path) {
        Tag tag = node.getTag();
        boolean ok = node instanceof MappingNode ? tag.equals(Tag.MAP)
                : node instanceof SequenceNode ? tag.equals(Tag.SEQ) : SCALAR_TAGS.contains(tag);
        if (!ok) {
            error(node, path, "unsupported tag " + tagName(tag) + ": spec files are plain YAML without tags");
        }
        return ok;
    }

    private static String tagName(Tag tag) {
        String value = tag.getValue();
        return value.startsWith(Tag.PREFIX) ? "!!" + value.substring(Tag.PREFIX.length()) : value;
    }

    /** How a message names what it got: quoted text, a number as written, or the kind of node. */
    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a map";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        ScalarNode scalar = (ScalarNode) node;
        Tag tag = scalar.getTag();
        String value = scalar.getValue();
        if (tag.equals(Tag.NULL)) {
            return value.isEmpty() ? "nothing" : "null";
        }
        if (tag.equals(Tag.INT)) {
            return value;
        }
        if (tag.equals(Tag.FLOAT)) {
            return value + " (a float)";
        }
        if (tag.equals(Tag.BOOL)) {
            return value + " (a boolean)";
        }
        return quote(value);
    }

    static String quote(String text) {
        String shown = text.length() > MAX_QUOTED ? text.substring(0, MAX_QUOTED) + "..." : text;
        return '"' + shown.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }

    /** A map's entries by key, after the checks of {@link #map}. */
    final class YamlMap {
        final MappingNode node;
        final String path;
        private final Map<String, Node> values = new LinkedHashMap<>();
        private final Map<String, Integer> keyLines = new HashMap<>();

        private YamlMap(MappingNode node, String path) {
            this.node = node;
            this.path = path;
        }

        boolean has(String key) {
            return values.containsKey(key);
        }

        /** The value, or null when the key is absent. */
        Node get(String key) {
            return values.get(key);
        }

        /** The value; when the key is absent, records that it is required and returns null. */
        Node require(String key) {
            Node value = values.get(key);
            if (value == null) {
                error(node, path(key), "required key is missing");
            }
            return value;
        }

        String path(String key) {
            return child(path, key);
        }

        /** Which of these keys are present, in the given order. */
        List<String> present(List<String> keys) {
            return keys.stream().filter(values::containsKey).toList();
        }
    }

    /** {since: "X.Y[.Z]", before: "X.Y[.Z]"}, both optional; since defaults to the filter's introduction. */
    KernelRange kernelRange(Node node, String path) {
        int before = errorCount();
        YamlMap m = map(node, path, KERNEL_KEYS);
        if (m == null) {
            return null;
        }
        KernelVersion since = m.has("since") ? version(m.get("since"), m.path("since")) : KernelRange.FILTER_INTRODUCED;
        KernelVersion until = m.has("before") ? version(m.get("before"), m.path("before")) : null;
        if (errorCount() != before) {
            return null;
        }
        List<KernelVersion> backported = new ArrayList<>();
        if (m.has("backported")) {
            List<Node> items = list(m.get("backported"), m.path("backported"), true);
            for (int i = 0; items != null && i < items.size(); i++) {
                KernelVersion b = version(items.get(i), m.path("backported") + "[" + i + "]");
                if (b != null) {
                    backported.add(b);
                }
            }
        }
        if (errorCount() != before) {
            return null;
        }
        if (until != null && since.compareTo(until) >= 0) {
            error(node, path, "empty range: since " + since + " is not before " + until);
            return null;
        }
        KernelVersion bound = until != null ? until : since;
        Set<String> series = new java.util.HashSet<>();
        for (KernelVersion b : backported) {
            if (!series.add(b.major() + "." + b.minor())) {
                error(node, path + ".backported", b + ": the " + b.major() + "." + b.minor() + " series is listed twice");
                return null;
            }
            if (b.compareTo(bound) >= 0) {
                error(node, path + ".backported", b + " is not older than " + bound + ": a backport lands in an earlier series");
                return null;
            }
        }
        return new KernelRange(since, until, backported);
    }

    private KernelVersion version(Node node, String path) {
        if (!tagOk(node, path)) {
            return null;
        }
        if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.STR) && VERSION.matcher(scalar.getValue()).matches()) {
            return KernelVersion.parse(scalar.getValue());
        }
        String message = "expected a kernel version string \"X.Y\" or \"X.Y.Z\", got " + describe(node);
        if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.FLOAT)) {
            // The classic trap: unquoted 5.10 is the float 5.1.
            message += ": quote it, \"" + scalar.getValue() + "\", or YAML reads it as the number " + asNumber(scalar.getValue());
        }
        error(node, path, message);
        return null;
    }

    private static String asNumber(String yamlFloat) {
        try {
            return new BigDecimal(yamlFloat).stripTrailingZeros().toPlainString();
        } catch (NumberFormatException e) {
            return yamlFloat; // .inf, .nan
        }
    }
}
