package io.msrconf.kernelmutants;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Which kernel code is mutated: per file (relative to the kernel source root), the functions, and the
 * {@code case} blocks written as {@code "FUNCTION case LABEL"}. Read from {@code kernel-mutants/sites.yaml}:
 * <pre>
 * files:
 *   arch/x86/kvm/x86.c:
 *     - kvm_msr_allowed
 *     - kvm_vm_ioctl_enable_cap case KVM_CAP_X86_USER_SPACE_MSR
 * </pre>
 */
public record SiteList(Map<String, List<Site>> files) {

    /** A function, or a case block of it when {@code caseLabel} is not empty. */
    public record Site(String function, String caseLabel) {

        static Site parse(String text) {
            String[] parts = text.strip().split("\\s+case\\s+", 2);
            return new Site(parts[0].strip(), parts.length > 1 ? parts[1].strip() : "");
        }
    }

    /** A site list that cannot be read: the file and what is wrong. */
    public static final class Invalid extends RuntimeException {
        public Invalid(String message) {
            super(message);
        }
    }

    public static SiteList load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new Invalid("cannot read the site list " + file + ": " + e.getMessage());
        }
        return parse(file.toString(), text);
    }

    public static SiteList parse(String name, String yaml) {
        Object root;
        try {
            root = new Load(LoadSettings.builder().build()).loadFromString(yaml);
        } catch (YamlEngineException e) {
            throw new Invalid(name + ": not YAML: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> top) || !(top.get("files") instanceof Map<?, ?> files)) {
            throw new Invalid(name + ": expected a mapping 'files:' of file → list of functions");
        }
        Map<String, List<Site>> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : files.entrySet()) {
            if (!(e.getValue() instanceof List<?> list) || list.isEmpty()) {
                throw new Invalid(name + ": " + e.getKey() + ": expected a non-empty list of functions");
            }
            List<Site> sites = new ArrayList<>();
            for (Object o : list) {
                if (!(o instanceof String s) || s.isBlank()) {
                    throw new Invalid(name + ": " + e.getKey() + ": '" + o + "' is not a function name");
                }
                sites.add(Site.parse(s));
            }
            out.put(String.valueOf(e.getKey()), List.copyOf(sites));
        }
        return new SiteList(out);
    }
}
