package io.msrconf.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every rule of specs/rules.yaml has a case, or says why not; every rule a case names exists. */
class RulesTest {

    @Test
    void everyRuleIsAccountedForAndEveryNamedRuleExists() {
        RuleBook.Loaded table = RuleBook.load(TestSpecs.DIR);
        assertThat(table.errors()).isEmpty();
        assertThat(table.rules()).hasSize(38);
        assertThat(RuleBook.problems(table.rules(), TestSpecs.load().cases())).isEmpty();
    }

    @Test
    void aRuleWithoutACaseOrAReasonAndACaseNamingAnUnknownRuleAreProblems() {
        RuleBook.Rule bare = new RuleBook.Rule(1, "r", "s", "5.10", null, null, null);
        RuleBook.Rule excused = new RuleBook.Rule(2, "r", "s", "5.10", "SMM", null, null);
        Case naming = TestSpecs.load().cases().get(0);
        Case unknown = new Case("t.c", "t", "t", Citation.note("c"), KernelRange.DEFAULT, VcpuSetup.DEFAULT, naming.steps(), naming.source(),
                Requirements.NONE, List.of(2, 99));
        assertThat(RuleBook.problems(List.of(bare, excused), List.of(unknown))).containsExactly(
                "t.c (" + naming.source() + ") names rule 99, which rules.yaml does not have",
                "rule 1 (r) has no case: write one, or say why (untestable: or missing:)",
                "rule 2 has cases (t.c, ...) yet says untestable: drop that");
    }

    @Test
    void aMalformedTableNamesTheFileLineAndField(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(RuleBook.FILE), "rules:\n  - id: 1\n    rule: r\n    source: s\n  - id: 3\n    rule: r\n"
                + "    source: s\n    since: \"5.10\"\n");
        assertThat(RuleBook.load(dir).errors()).extracting(SpecError::toString).containsExactly(
                dir.resolve(RuleBook.FILE) + ":2: rules[0].since: required key is missing",
                dir.resolve(RuleBook.FILE) + ":5: rules[1].id: rules are numbered 1, 2, 3 ... in order: expected 1");
    }
}
