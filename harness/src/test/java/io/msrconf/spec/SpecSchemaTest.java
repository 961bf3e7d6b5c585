package io.msrconf.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.msrconf.abi.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * specs/schema.json, the format as editors see it, agrees with the parser, the format as msrconf reads
 * it: every spec file validates and names the schema, every malformed snippet below is refused by both,
 * and the schema's closed lists (errno names, actions, keys) are the parser's.
 */
class SpecSchemaTest {

    private static final Path SCHEMA = TestSpecs.DIR.resolve("schema.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Schema schema() throws IOException {
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(Files.readString(SCHEMA));
    }

    private static JsonNode yaml(String text) {
        return JSON.valueToTree(new Load(LoadSettings.builder().build()).loadFromString(text));
    }

    @Test
    void everySpecFileValidatesAndNamesTheSchema() throws IOException {
        Schema schema = schema();
        List<Path> files;
        try (Stream<Path> s = Files.list(TestSpecs.DIR)) {
            files = s.filter(SpecLoader::isSpecName).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        for (Path f : files) {
            String text = Files.readString(f);
            assertThat(text).as(f.toString()).startsWith("# yaml-language-server: $schema=schema.json\n");
            List<Error> errors = schema.validate(yaml(text));
            assertThat(errors).as("%s: %s", f, errors.stream().map(e -> e.getInstanceLocation() + " " + e.getMessage()).toList()).isEmpty();
        }
    }

    /** The example of README's "Adding a case" shows every form: it must stay a case both the parser and the schema take. */
    @Test
    void theReadmeExampleCaseIsValid() throws IOException {
        String readme = Files.readString(TestSpecs.DIR.resolveSibling("README.md"));
        int section = readme.indexOf("## Adding a case");
        int start = readme.indexOf("```yaml\n", section) + "```yaml\n".length();
        String spec = "area: filter-ranges\ncases:\n" + readme.substring(start, readme.indexOf("```", start));
        assertThat(SpecLoader.parse(spec, Path.of("specs/filter-ranges.yaml")).errors()).as(spec).isEmpty();
        assertThat(schema().validate(yaml(spec))).as(spec).isEmpty();
    }

    @Test
    void malformedSpecsAreRefusedByTheSchemaAndByTheParser() throws IOException {
        Schema schema = schema();
        String head = "area: filter-ranges\ncases:\n  - id: c.one\n    title: t\n    cites: c\n";
        List<String> bad = List.of(
                head + "    titel: x\n    steps: [ { run: [ { rdmsr: 0x10, expect: ok } ] } ]\n",              // unknown key
                "area: filter-ranges\ncases:\n  - id: c.one\n    cites: c\n    steps: [ { run: [ { rdmsr: 0x10, expect: ok } ] } ]\n", // no title
                head + "    steps: [ { run: [ { rdmsr: 0x10, expect: ok } ], set-filter: { default: allow }, expect: ok } ]\n", // two actions
                head + "    steps: [ { sett-filter: { default: allow }, expect: ok } ]\n",                      // unknown action
                head + "    steps: [ { set-filter: { default: allow }, expect: EWHAT } ]\n",                     // unknown errno
                head + "    steps: [ { set-filter: { default: maybe }, expect: ok } ]\n",                      // unknown default
                head + "    steps: [ { set-filter: { default: allow, ranges: [ { flags: [READ], base: 0, nmsrs: 1, deny: all, memory: swapped } ] }, expect: ok } ]\n",
                head + "    steps: [ { set-filter: { default: allow, ranges: [ { flags: [READ], base: 0, nmsrs: 1 } ] }, expect: ok } ]\n", // no bitmap
                head + "    steps: [ { enable-exits: [FILTRE], expect: ok } ]\n",                              // unknown reason
                head + "    requires: { module: amd }\n    steps: [ { run: [ { rdmsr: 0x10, expect: ok } ] } ]\n",  // not a module name
                head + "    vcpu: { x2apic: yes please }\n    steps: [ { run: [ { rdmsr: 0x10, expect: ok } ] } ]\n",
                head + "    steps: [ { run: [ { rdmsr: 0x10, expect: maybe } ] } ]\n",                       // unknown expectation
                head + "    steps: [ { run: [ { rdmsr: 0x10, expect: { exit: FILTER, then: ok, answre: {} } } ] } ]\n",
                head + "    steps: [ { run: [ { rdmsr: 0x10, expect: ok } ], pause: Not A Name } ]\n",           // pause name
                head + "    steps: [ { run: [ { rdmsr: 0x10, expect: ok } ], pause: p },"
                        + " { continue: [ { rdmsr: 0x10, expect: ok } ] } ]\n",                                  // continue without from
                head + "    steps: [ { set-filter: { default: allow }, expect: ok, pause: p } ]\n",              // pause on a filter step
                head + "    steps: [ { create-vcpu: 4 } ]\n",                                                     // vCPU out of range
                head + "    steps: [ { create-vcpu: 1, cpuid: soon } ]\n");                                      // cpuid: later only
        for (String spec : bad) {
            assertThat(schema.validate(yaml(spec))).as("the schema refuses:%n%s", spec).isNotEmpty();
            assertThat(SpecLoader.parse(spec, Path.of("specs/filter-ranges.yaml")).errors()).as("the parser refuses:%n%s", spec).isNotEmpty();
        }
    }

    @Test
    void theSchemasClosedListsAreTheParsers() throws IOException {
        JsonNode defs = JSON.readTree(SCHEMA.toFile()).get("$defs");
        assertThat(names(defs.get("errno").get("enum"))).containsExactlyInAnyOrderElementsOf(Errno.names());
        assertThat(names(defs.get("exitReason").get("enum"))).containsExactlyInAnyOrder("INVAL", "UNKNOWN", "FILTER");
        assertThat(names(defs.get("case").get("properties").fieldNames())).containsExactlyInAnyOrderElementsOf(SpecFileParser.CASE_KEYS);
        List<String> actions = new ArrayList<>();
        // Each alternative lists its action first among its required keys (then expect, or continue's from).
        defs.get("step").get("oneOf").forEach(alt -> actions.add(alt.get("required").get(0).asText()));
        assertThat(actions).containsExactlyInAnyOrderElementsOf(SpecFileParser.ACTIONS);
        assertThat(names(JSON.readTree(SCHEMA.toFile()).get("properties").fieldNames())).containsExactlyInAnyOrderElementsOf(SpecFileParser.FILE_KEYS);
    }

    private static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> names(java.util.Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return new ArrayList<>(new TreeSet<>(out));
    }
}
