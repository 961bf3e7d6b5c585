package io.msrconf.spec;

import io.msrconf.util.SafeFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * The rule table (specs/rules.yaml): every observable rule of the API, with its source in the kernel and
 * the version since which it holds. Cases name the rules they check ({@link Case#rules}); a rule no case
 * names must say why: {@code untestable} on the targets msrconf has, or {@code missing} (what a case would
 * need). {@code part} says what the cases of a covered rule leave out.
 */
public final class RuleBook {

    /** The table's file name in the spec directory (not a spec file: {@link SpecLoader} leaves it out). */
    public static final String FILE = "rules.yaml";
    private static final List<String> KEYS = List.of("id", "rule", "source", "since", "untestable", "missing", "part");

    /** One rule; {@code untestable}, {@code missing} and {@code part} are null when absent. */
    public record Rule(int id, String rule, String source, String since, String untestable, String missing, String part) {
    }

    /** A rule and the cases that check it. */
    public record Coverage(Rule rule, List<Case> cases) {
        /** "covered", "covered in part", "untestable here" or "missing". */
        public String status() {
            if (!cases.isEmpty()) {
                return rule.part() == null ? "covered" : "covered in part";
            }
            return rule.untestable() != null ? "untestable here" : "missing";
        }
    }

    /** The rules, or the errors that make the file unusable (each naming the file, line and field). */
    public record Loaded(List<Rule> rules, List<SpecError> errors) {
    }

    private RuleBook() {
    }

    public static Loaded load(Path specsDir) {
        Path file = specsDir.resolve(FILE);
        List<SpecError> errors = new ArrayList<>();
        String text;
        try {
            text = SafeFiles.readUtf8(file, 1 << 20);
        } catch (IOException e) {
            return new Loaded(List.of(), List.of(new SpecError(new SourceRef(file, 1), "", "cannot read the rule table: " + e.getMessage())));
        }
        Optional<Node> root;
        try {
            root = new Compose(SpecLoader.settings()).composeString(text);
        } catch (YamlEngineException e) {
            return new Loaded(List.of(), List.of(new SpecError(new SourceRef(file, 1), "", "YAML error: " + e.getMessage())));
        }
        YamlReader reader = new YamlReader(file);
        List<Rule> rules = new ArrayList<>();
        YamlReader.YamlMap top = root.map(n -> reader.map(n, "", List.of("rules"))).orElse(null);
        Node list = top == null ? null : top.require("rules");
        List<Node> items = list == null ? List.of() : reader.list(list, "rules", true);
        for (int i = 0; items != null && i < items.size(); i++) {
            String path = YamlReader.item("rules", i);
            int before = reader.errorCount();
            YamlReader.YamlMap m = reader.map(items.get(i), path, KEYS);
            if (m == null) {
                continue;
            }
            Node idNode = m.require("id");
            Integer id = idNode == null ? null : reader.u32(idNode, m.path("id"));
            String rule = text(reader, m, "rule", true);
            String source = text(reader, m, "source", true);
            String since = text(reader, m, "since", true);
            String untestable = text(reader, m, "untestable", false);
            String missing = text(reader, m, "missing", false);
            String part = text(reader, m, "part", false);
            if (id != null && id != rules.size() + 1 && reader.errorCount() == before) {
                reader.error(idNode, m.path("id"), "rules are numbered 1, 2, 3 ... in order: expected " + (rules.size() + 1));
            }
            if (untestable != null && missing != null) {
                reader.error(items.get(i), path, "a rule is either untestable here or missing a case, not both");
            }
            if (reader.errorCount() == before) {
                rules.add(new Rule(id, rule, source, since, untestable, missing, part));
            }
        }
        errors.addAll(reader.errors());
        return new Loaded(errors.isEmpty() ? rules : List.of(), errors);
    }

    private static String text(YamlReader reader, YamlReader.YamlMap m, String key, boolean required) {
        Node node = required ? m.require(key) : m.has(key) ? m.get(key) : null;
        return node == null ? null : reader.text(node, m.path(key));
    }

    /** Each rule with the cases that name it, in rule order. */
    public static List<Coverage> coverage(List<Rule> rules, List<Case> cases) {
        Map<Integer, List<Case>> byRule = new TreeMap<>();
        for (Case c : cases) {
            for (int r : c.rules()) {
                byRule.computeIfAbsent(r, k -> new ArrayList<>()).add(c);
            }
        }
        return rules.stream().map(r -> new Coverage(r, byRule.getOrDefault(r.id(), List.of()))).toList();
    }

    /** What is wrong with the table against the cases: a rule unaccounted for, a case naming a rule that does not exist. */
    public static List<String> problems(List<Rule> rules, List<Case> cases) {
        List<String> problems = new ArrayList<>();
        TreeSet<Integer> known = new TreeSet<>();
        rules.forEach(r -> known.add(r.id()));
        for (Case c : cases) {
            c.rules().stream().filter(r -> !known.contains(r)).forEach(r ->
                    problems.add(c.id() + " (" + c.source() + ") names rule " + r + ", which " + FILE + " does not have"));
        }
        for (Coverage cov : coverage(rules, cases)) {
            Rule r = cov.rule();
            if (cov.cases().isEmpty() && r.untestable() == null && r.missing() == null) {
                problems.add("rule " + r.id() + " (" + r.rule() + ") has no case: write one, or say why (untestable: or missing:)");
            }
            if (!cov.cases().isEmpty() && (r.untestable() != null || r.missing() != null)) {
                problems.add("rule " + r.id() + " has cases (" + cov.cases().get(0).id() + ", ...) yet says "
                        + (r.untestable() != null ? "untestable" : "missing") + ": drop that");
            }
        }
        return problems;
    }
}
