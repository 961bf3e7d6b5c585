package io.msrconf.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Links from a case's citation to the documentation clause and the kernel code it names, for the report. */
public final class CitationLinks {

    public record Link(String name, String url) {
    }

    private static final String API_DOC = "https://docs.kernel.org/virt/kvm/api.html";
    private static final Map<String, String> API_SECTIONS = new LinkedHashMap<>();
    static {
        API_SECTIONS.put("KVM_X86_SET_MSR_FILTER", "#kvm-x86-set-msr-filter");
        API_SECTIONS.put("KVM_CAP_X86_USER_SPACE_MSR", "#kvm-cap-x86-user-space-msr");
        API_SECTIONS.put("KVM_EXIT_X86_RDMSR", "#the-kvm-run-structure");
        API_SECTIONS.put("kvm_run", "#the-kvm-run-structure");
    }
    /** Kernel functions cited as "name()". */
    private static final Pattern FUNCTION = Pattern.compile("\\b(kvm_[a-z0-9_]+|__kvm_[a-z0-9_]+|complete_[a-z0-9_]+|do_[gs]et_msr)\\(\\)");

    private CitationLinks() {
    }

    public static List<Link> of(String citation) {
        List<Link> links = new ArrayList<>();
        if (citation.contains("api.rst")) {
            String anchor = API_SECTIONS.entrySet().stream().filter(e -> citation.contains(e.getKey()))
                    .map(Map.Entry::getValue).findFirst().orElse("");
            links.add(new Link("api.rst" + (anchor.isEmpty() ? "" : " " + anchor), API_DOC + anchor));
        }
        Matcher m = FUNCTION.matcher(citation);
        while (m.find()) {
            String fn = m.group(1);
            Link link = new Link(fn + "()", "https://elixir.bootlin.com/linux/latest/A/ident/" + fn);
            if (!links.contains(link)) {
                links.add(link);
            }
        }
        return links;
    }
}
