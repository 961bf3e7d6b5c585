package io.msrconf.spec;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where a case's expectations come from, as data: passages of Documentation/virt/kvm/api.rst (its section and
 * a verbatim quote, checked against each kernel's own api.rst by {@link ApiRstQuotes}), kernel code (a
 * function or file, the versions read, and the lines quoted), commits, and notes that tie them together.
 * A case in the spec files writes them as a list under {@code cites:}; a bare string is one note (the short
 * form for generated and test cases; RulesTest holds every case of the suite to a structured source).
 */
public record Citation(List<Source> sources) {

    public Citation {
        sources = List.copyOf(sources);
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("a citation names at least one source");
        }
    }

    /** One note: the short form. */
    public static Citation note(String text) {
        return new Citation(List.of(new Note(text)));
    }

    /** One source of a citation. */
    public sealed interface Source {
        /** One line of the citation as a person reads it. */
        String describe();
    }

    /**
     * A passage of api.rst: {@code section} is the title of its section without the number ("KVM_X86_SET_MSR_FILTER",
     * not "4.97 KVM_X86_SET_MSR_FILTER": numbers change between kernels); {@code quote} the words, with "..." where
     * some are left out.
     */
    public record ApiRst(String section, String quote) implements Source {
        @Override
        public String describe() {
            return "api.rst, " + section + ": \"" + quote + "\"";
        }

        /** The section's address in the kernel's rendered documentation. */
        public String url() {
            return API_HTML + "#" + anchor(section);
        }
    }

    /** Kernel code: a function ("kvm_msr_allowed()") or file ("x86.c"), the versions read (may be empty), and a quote (may be empty). */
    public record Code(String name, String kernels, String quote) implements Source {
        @Override
        public String describe() {
            return name + (kernels.isEmpty() ? "" : " (" + kernels + ")") + (quote.isEmpty() ? "" : ": \"" + quote + "\"");
        }

        /**
         * Where it is in the kernel's source: a function by an identifier search, a file given with its path
         * ("arch/x86/kvm/x86.c") by that path; empty for a bare file name, which names no one place.
         */
        public String url() {
            if (name.endsWith("()")) {
                return "https://elixir.bootlin.com/linux/latest/A/ident/" + name.substring(0, name.length() - 2);
            }
            return name.contains("/") ? "https://elixir.bootlin.com/linux/latest/source/" + name : "";
        }
    }

    /** A commit of the kernel, by its abbreviated id, and its subject line (may be empty). */
    public record Commit(String id, String subject) implements Source {
        @Override
        public String describe() {
            return "commit " + id + (subject.isEmpty() ? "" : " (\"" + subject + "\")");
        }

        public String url() {
            return "https://git.kernel.org/linus/" + id;
        }
    }

    /** Words that are none of the above: how the sources bear on the case, versions, conventions. */
    public record Note(String text) implements Source {
        @Override
        public String describe() {
            return text;
        }
    }

    private static final String API_HTML = "https://docs.kernel.org/virt/kvm/api.html";

    /** The citation as text, one source per line. */
    public String text() {
        return sources.stream().map(Source::describe).collect(Collectors.joining("\n"));
    }

    public List<ApiRst> apiRst() {
        return sources.stream().filter(ApiRst.class::isInstance).map(ApiRst.class::cast).toList();
    }

    /** Whether it names a source, not only notes. */
    public boolean structured() {
        return sources.stream().anyMatch(s -> !(s instanceof Note));
    }

    /**
     * The id Sphinx gives a section (docutils make_id()): lowercase, every run of other characters than letters
     * and digits one "-", no leading characters other than letters, no trailing "-".
     */
    static String anchor(String title) {
        String id = title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^[^a-z]+", "").replaceAll("-+$", "");
        return id;
    }
}
