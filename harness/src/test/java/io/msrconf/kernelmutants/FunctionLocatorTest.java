package io.msrconf.kernelmutants;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Finding a function's body and a case block in C source, past the fixture's traps. */
class FunctionLocatorTest {

    @Test
    void theDefinitionIsFoundNotThePrototypeTheStringTheCommentOrTheExport() {
        SourceRegion r = Fixture.function("kvm_msr_allowed");
        // the body starts with the definition's first declaration and ends with its return
        assertThat(Fixture.code(r)).startsWith("struct kvm_x86_msr_filter *msr_filter;").endsWith("return allowed;");
        assertThat(r.token(r.open()).line()).isEqualTo(16);
        assertThat(r.token(r.close()).line()).isEqualTo(49);
        assertThat(r.isParameter("index")).isTrue();
        assertThat(r.isParameter("allowed")).isFalse();
    }

    @Test
    void aBraceInACommentOrStringDoesNotUnbalanceTheBody() {
        // the body holds "/* ... { */" and pr_debug("}"): the closing brace found is the function's own
        SourceRegion r = Fixture.function("kvm_msr_allowed");
        assertThat(Fixture.code(r)).contains("pr_debug(\"}\");");
    }

    @Test
    void commentsStringsAndDirectivesAreNotTokens() {
        List<CToken> tokens = CTokenizer.tokenize("#define X(a) { a }\n/* { */ int x = 1; // }\nchar *s = \"{\\\"}\"; char c = '}';\n");
        assertThat(tokens.stream().map(CToken::text)).containsExactly("int", "x", "=", "1", ";", "char", "*", "s", "=", "\"{\\\"}\"", ";",
                "char", "c", "=", "'}'", ";");
        assertThat(tokens.get(0).line()).isEqualTo(2);
        assertThat(tokens.get(5).line()).isEqualTo(3);
    }

    @Test
    void operatorsAreTakenLongestFirst() {
        assertThat(CTokenizer.tokenize("a<<=b->c>=d<e&&f&g").stream().map(CToken::text))
                .containsExactly("a", "<<=", "b", "->", "c", ">=", "d", "<", "e", "&&", "f", "&", "g");
    }

    @Test
    void aCaseBlockRunsFromItsLabelToTheNextLabelOfTheSameSwitch() {
        SourceRegion r = FunctionLocator.caseBlock(Fixture.FILE, Fixture.tokens(), "kvm_vm_ioctl_enable_cap", "KVM_CAP_X86_USER_SPACE_MSR");
        assertThat(Fixture.code(r)).isEqualTo("""
                r = -EINVAL;
                		if (cap->args[0] & ~KVM_MSR_EXIT_REASON_VALID_MASK)
                			break;
                		kvm->arch.user_space_msr_mask = cap->args[0];
                		r = 0;
                		break;""");
        assertThat(r.name()).isEqualTo("kvm_vm_ioctl_enable_cap/KVM_CAP_X86_USER_SPACE_MSR");
        SourceRegion braced = FunctionLocator.caseBlock(Fixture.FILE, Fixture.tokens(), "kvm_vm_ioctl_enable_cap", "KVM_CAP_X86_BUS_LOCK_EXIT");
        assertThat(Fixture.code(braced)).isEqualTo("{\n\t\tr = -EINVAL;\n\t\tbreak;\n\t}");
    }

    @Test
    void aMissingFunctionOrCaseIsAnErrorNamingIt() {
        assertThatThrownBy(() -> Fixture.function("kvm_no_such_function"))
                .isInstanceOf(FunctionLocator.NotFound.class).hasMessage("arch/x86/kvm/x86.c: no definition of function kvm_no_such_function");
        assertThatThrownBy(() -> FunctionLocator.caseBlock(Fixture.FILE, Fixture.tokens(), "kvm_vm_ioctl_enable_cap", "KVM_CAP_NOPE"))
                .isInstanceOf(FunctionLocator.NotFound.class).hasMessageContaining("has no 'case KVM_CAP_NOPE:'");
        SiteList sites = SiteList.parse("test", "files:\n  arch/x86/kvm/x86.c:\n    - kvm_msr_allowed\n    - gone_one\n    - gone_two\n");
        assertThatThrownBy(() -> MutantGenerator.generate(Fixture.ROOT, sites))
                .isInstanceOf(SiteList.Invalid.class).hasMessageContaining("gone_one").hasMessageContaining("gone_two");
    }
}
