package io.msrconf.report;

import io.msrconf.spec.Citation;
import java.util.ArrayList;
import java.util.List;

/** Links from a case's citation to the api.rst sections, kernel code and commits it names, for the report. */
public final class CitationLinks {

    public record Link(String name, String url) {
    }

    private CitationLinks() {
    }

    public static List<Link> of(Citation citation) {
        List<Link> links = new ArrayList<>();
        for (Citation.Source s : citation.sources()) {
            Link link = null;
            if (s instanceof Citation.ApiRst a) {
                link = new Link("api.rst: " + a.section(), a.url());
            } else if (s instanceof Citation.Code c && !c.url().isEmpty()) {
                link = new Link(c.name(), c.url());
            } else if (s instanceof Citation.Commit c) {
                link = new Link("commit " + c.id(), c.url());
            }
            if (link != null && !links.contains(link)) {
                links.add(link);
            }
        }
        return links;
    }
}
