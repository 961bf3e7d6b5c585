package io.msrconf.report;

import io.msrconf.pipeline.RunSummary;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * A run as JUnit XML, the layout GitLab's and Jenkins' test tabs read: one {@code <testsuite>} per backend
 * and area ({@code kvm.ranges}: the case ids' first part), one {@code <testcase>} per case, a failure
 * carrying its sentence as the message and the whole explanation as the text, a skip its reason. The
 * summary's environment becomes the properties of each suite. Written with the JDK's XML writer, so every
 * string from a spec is escaped.
 */
public final class JunitXml {

    private JunitXml() {
    }

    public static String of(RunSummary summary) {
        Map<String, List<RunSummary.CaseEntry>> suites = new LinkedHashMap<>();
        for (RunSummary.CaseEntry c : summary.cases()) {
            String backend = c.backend().equals("-") ? "spec-errors" : c.backend();
            String area = c.id().contains(".") ? c.id().substring(0, c.id().indexOf('.')) : c.id();
            suites.computeIfAbsent(backend + "." + area, k -> new ArrayList<>()).add(c);
        }
        StringWriter text = new StringWriter();
        try {
            XMLStreamWriter x = XMLOutputFactory.newInstance().createXMLStreamWriter(text);
            x.writeStartDocument("UTF-8", "1.0");
            x.writeCharacters("\n");
            x.writeStartElement("testsuites");
            x.writeAttribute("name", "msrconf");
            count(x, summary.cases());
            for (Map.Entry<String, List<RunSummary.CaseEntry>> suite : suites.entrySet()) {
                x.writeCharacters("\n  ");
                x.writeStartElement("testsuite");
                x.writeAttribute("name", suite.getKey());
                count(x, suite.getValue());
                x.writeCharacters("\n    ");
                x.writeStartElement("properties");
                for (Map.Entry<String, String> e : new java.util.TreeMap<>(summary.environment()).entrySet()) {
                    x.writeCharacters("\n      ");
                    x.writeEmptyElement("property");
                    x.writeAttribute("name", e.getKey());
                    x.writeAttribute("value", e.getValue());
                }
                x.writeCharacters("\n    ");
                x.writeEndElement();
                for (RunSummary.CaseEntry c : suite.getValue()) {
                    x.writeCharacters("\n    ");
                    x.writeStartElement("testcase");
                    x.writeAttribute("classname", suite.getKey());
                    x.writeAttribute("name", c.id());
                    switch (c.status()) {
                        case PASSED -> { }
                        case SKIPPED, KNOWN_DEVIATION -> {
                            x.writeEmptyElement("skipped");
                            x.writeAttribute("message", firstLine(c.message()));
                        }
                        case FAILED, DEVIATION_NOT_REPRODUCED -> {
                            x.writeStartElement("failure");
                            x.writeAttribute("message", sentence(c));
                            x.writeAttribute("type", c.mismatchKinds().isEmpty() ? c.status().name() : String.join(",", c.mismatchKinds()));
                            x.writeCharacters(c.message());
                            x.writeEndElement();
                        }
                    }
                    x.writeEndElement();
                }
                x.writeCharacters("\n  ");
                x.writeEndElement();
            }
            x.writeCharacters("\n");
            x.writeEndElement();
            x.writeCharacters("\n");
            x.writeEndDocument();
            x.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("writing JUnit XML: " + e.getMessage(), e);
        }
        return text.toString();
    }

    private static void count(XMLStreamWriter x, List<RunSummary.CaseEntry> cases) throws XMLStreamException {
        long failures = cases.stream().filter(c -> c.status().isFailure()).count();
        long skipped = cases.stream().filter(c -> c.status() == RunSummary.Status.SKIPPED || c.status() == RunSummary.Status.KNOWN_DEVIATION).count();
        x.writeAttribute("tests", Long.toString(cases.size()));
        x.writeAttribute("failures", Long.toString(failures));
        x.writeAttribute("errors", "0");
        x.writeAttribute("skipped", Long.toString(skipped));
    }

    /** The failure's sentence: the first line that is not the "id [backend] title" headline. */
    private static String sentence(RunSummary.CaseEntry c) {
        return c.message().lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith(c.id() + " ["))
                .findFirst().orElse(firstLine(c.message()));
    }

    private static String firstLine(String s) {
        return s.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
    }
}
