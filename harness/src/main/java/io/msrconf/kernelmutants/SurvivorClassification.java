package io.msrconf.kernelmutants;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * What a person decided about each mutant the suite did not kill, from {@code kernel-mutants/survivors.yaml}:
 * <pre>
 * survivors:
 *   - id: x86.c:kvm_msr_user_space:delete-statement:2
 *     class: equivalent         # or unreachable, or gap
 *     why: the field is written again before userspace reads it
 *     case: exits.some-case     # for a gap: the case written to kill it
 * </pre>
 * An equivalent mutant behaves as KVM does; an unreachable one changes code no target of msrconf runs (VMX, the
 * fastpath); both leave the score's denominator. A gap is the suite's to close: it names the case that now kills it.
 */
public record SurvivorClassification(Map<String, Entry> entries) {

    public enum Kind { EQUIVALENT, UNREACHABLE, GAP }

    public record Entry(String id, Kind kind, String why, String caseId) {
    }

    public static final SurvivorClassification NONE = new SurvivorClassification(Map.of());

    public static SurvivorClassification load(Path file) {
        if (!Files.isRegularFile(file)) {
            return NONE;
        }
        try {
            return parse(file.toString(), Files.readString(file));
        } catch (IOException e) {
            throw new SiteList.Invalid("cannot read " + file + ": " + e.getMessage());
        }
    }

    public static SurvivorClassification parse(String name, String yaml) {
        Object root;
        try {
            root = new Load(LoadSettings.builder().build()).loadFromString(yaml);
        } catch (YamlEngineException e) {
            throw new SiteList.Invalid(name + ": not YAML: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> top) || !(top.get("survivors") instanceof List<?> list)) {
            throw new SiteList.Invalid(name + ": expected a list 'survivors:' of {id, class, why}");
        }
        Map<String, Entry> out = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String at = name + ": survivors[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> m) || !(m.get("id") instanceof String id) || !(m.get("class") instanceof String c)
                    || !(m.get("why") instanceof String why) || why.isBlank()) {
                throw new SiteList.Invalid(at + ": expected id, class and why (text)");
            }
            Kind kind;
            try {
                kind = Kind.valueOf(c.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new SiteList.Invalid(at + ": class is equivalent, unreachable or gap, got '" + c + "'");
            }
            Object caseId = m.get("case");
            if (kind == Kind.GAP && !(caseId instanceof String)) {
                throw new SiteList.Invalid(at + ": a gap names the case that kills it (case: ID)");
            }
            if (out.put(id, new Entry(id, kind, why.strip(), caseId instanceof String s ? s : "")) != null) {
                throw new SiteList.Invalid(at + ": " + id + " is classified twice");
            }
        }
        return new SurvivorClassification(out);
    }
}
