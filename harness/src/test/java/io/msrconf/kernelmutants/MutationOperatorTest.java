package io.msrconf.kernelmutants;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Every operator at every eligible site of the fixture, and nowhere else. */
class MutationOperatorTest {

    private static final SourceRegion ALLOWED = Fixture.function("kvm_msr_allowed");
    private static final SourceRegion ADD = Fixture.function("kvm_add_msr_filter");
    private static final SourceRegion CASE = FunctionLocator.caseBlock(Fixture.FILE, Fixture.tokens(), "kvm_vm_ioctl_enable_cap",
            "KVM_CAP_X86_USER_SPACE_MSR");

    @Test
    void negateConditionWrapsEachIfAndWhileCondition() {
        assertThat(Fixture.described(MutationOperator.NEGATE_CONDITION, ALLOWED)).containsExactly(
                "index >= 0x800 && index <= 0x8ff → !(index >= 0x800 && index <= 0x8ff) @23",
                "!msr_filter → !(!msr_filter) @27",
                "(index >= start) && (index < end) && (flags & type) → !((index >= start) && (index < end) && (flags & type)) @40");
        assertThat(Fixture.described(MutationOperator.NEGATE_CONDITION, CASE)).containsExactly(
                "cap->args[0] & ~KVM_MSR_EXIT_REASON_VALID_MASK → !(cap->args[0] & ~KVM_MSR_EXIT_REASON_VALID_MASK) @93");
    }

    @Test
    void relationalSwapsEachComparisonButNotShiftsOrArrows() {
        assertThat(Fixture.described(MutationOperator.RELATIONAL, ALLOWED)).containsExactly(
                ">= → > @23", "<= → < @23", "< → <= @35", ">= → > @40", "< → <= @40");
        assertThat(Fixture.described(MutationOperator.RELATIONAL, ADD)).containsExactly("> → >= @65");
    }

    @Test
    void constantsBesideAComparisonGoOneUpAndOneDownInTheirOwnNotation() {
        assertThat(Fixture.described(MutationOperator.CONSTANT_OFF_BY_ONE, ALLOWED)).containsExactly(
                "0x800 → 0x801 @23", "0x800 → 0x7ff @23", "0x8ff → 0x900 @23", "0x8ff → 0x8fe @23");
        assertThat(Fixture.described(MutationOperator.CONSTANT_OFF_BY_ONE, ADD)).containsExactly("0x600 → 0x601 @65", "0x600 → 0x5ff @65");
    }

    @Test
    void bitwiseSwapsBinaryAndAndOrButNotAddressOf() {
        // &kvm->srcu (after a comma) is an address, not a binary and
        assertThat(Fixture.described(MutationOperator.BITWISE, ALLOWED)).containsExactly("& → | @40");
        assertThat(Fixture.described(MutationOperator.BITWISE, ADD)).containsExactly("& → | @61", "|= → &= @77");
        assertThat(Fixture.described(MutationOperator.BITWISE, CASE)).containsExactly("& → | @93");
    }

    @Test
    void logicalSwapsAndAndOr() {
        assertThat(Fixture.described(MutationOperator.LOGICAL, ALLOWED)).containsExactly("&& → || @23", "&& → || @40", "&& → || @40");
        assertThat(Fixture.described(MutationOperator.LOGICAL, ADD)).containsExactly("|| → && @65");
    }

    @Test
    void deleteStatementEmptiesExpressionStatementsButKeepsDeclarationsAndSoleInitialisations() {
        // msr_filter = ..., ranges = ... are the only assignments of locals read later; "allowed" is assigned three times
        assertThat(Fixture.described(MutationOperator.DELETE_STATEMENT, ALLOWED)).containsExactly(
                "allowed = true; → ; @28", "allowed = msr_filter->default_allow; → ; @32",
                "allowed = test_bit(index - start, ranges[i].bitmap); → ; @41", "pr_debug(\"}\"); → ; @47");
        assertThat(Fixture.described(MutationOperator.DELETE_STATEMENT, ADD)).containsExactly(
                "msr_filter->ranges[msr_filter->count] = (struct msr_bitmap_range) { .flags = user_range->flags, .bitmap = bitmap, }; → ; @72",
                "msr_filter->count |= 0; → ; @77", "msr_filter->count++; → ; @78");
        // r is assigned in every case of the switch: deleting one of them is a mutant
        assertThat(Fixture.described(MutationOperator.DELETE_STATEMENT, CASE)).containsExactly(
                "r = -EINVAL; → ; @92", "kvm->arch.user_space_msr_mask = cap->args[0]; → ; @95", "r = 0; → ; @96");
    }

    @Test
    void deleteEarlyReturnOnlyInsideAnIf() {
        assertThat(Fixture.described(MutationOperator.DELETE_EARLY_RETURN, ALLOWED)).containsExactly("return true; → ; @24");
        assertThat(Fixture.described(MutationOperator.DELETE_EARLY_RETURN, ADD)).containsExactly(
                "return 0; → ; @59", "return -EINVAL; → ; @62", "return -EINVAL; → ; @66", "return -ENOMEM; → ; @70");
    }

    @Test
    void errnoChangesEinvalToEfaultAndAnyOtherToEinval() {
        assertThat(Fixture.described(MutationOperator.ERRNO, ADD)).containsExactly(
                "-EINVAL → -EFAULT @62", "-EINVAL → -EFAULT @66", "-ENOMEM → -EINVAL @70");
        assertThat(Fixture.described(MutationOperator.ERRNO, CASE)).containsExactly("-EINVAL → -EFAULT @92");
    }

    @Test
    void returnValueFlipsZeroOneTrueFalse() {
        assertThat(Fixture.described(MutationOperator.RETURN_VALUE, ALLOWED)).containsExactly("true → false @24");
        assertThat(Fixture.described(MutationOperator.RETURN_VALUE, ADD)).containsExactly("0 → 1 @59", "0 → 1 @79");
    }
}
