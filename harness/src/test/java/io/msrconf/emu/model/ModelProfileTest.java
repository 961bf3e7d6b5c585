package io.msrconf.emu.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.msrconf.abi.Msr;
import io.msrconf.emu.cpu.MsrResult;
import io.msrconf.spec.KernelVersion;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The model's behaviour per kernel version and vendor module, each against the citation in ModelProfile. */
class ModelProfileTest {

    private static final long EFER = 0xd01;
    private static final KernelVersion V6_12 = KernelVersion.parse("6.12.117");

    @Test
    void onlyKvmAmdWithoutAvicSyncsTheTprFromVtpr() {
        assertThat(ModelProfile.of(V6_12, List.of("kvm_amd"), Optional.of("N\n")).tprSyncedFromVtprAtExit()).isTrue();
        assertThat(ModelProfile.of(V6_12, List.of("kvm_amd"), Optional.empty()).tprSyncedFromVtprAtExit()).isTrue();
        assertThat(ModelProfile.of(V6_12, List.of("kvm_amd"), Optional.of("Y\n")).tprSyncedFromVtprAtExit()).isFalse();
        assertThat(ModelProfile.of(V6_12, List.of("kvm_intel"), Optional.empty()).tprSyncedFromVtprAtExit()).isFalse();
        assertThat(ModelProfile.of(V6_12, List.of("kvm_pvm"), Optional.empty()).tprSyncedFromVtprAtExit()).isFalse();
    }

    @Test
    void underSvmTheTprLosesItsLowBitsAtTheNextExit() {
        ModelProfile svm = ModelProfile.of(V6_12, List.of("kvm_amd"), Optional.empty());
        assertThat(tprAfterWriting(0x31, svm)).isEqualTo(0x30);
        assertThat(tprAfterWriting(0x31, ModelProfile.LATEST)).isEqualTo(0x31);
        // the specs' TPR values have no low bits: the same on every profile
        assertThat(tprAfterWriting(0x20, svm)).isEqualTo(0x20);
    }

    @Test
    void versionedBehaviourFollowsTheReleasesThatChangedIt() {
        ModelProfile v510 = at("5.10.223");
        ModelProfile v61old = at("6.1.100");
        ModelProfile v61 = at("6.1.176");   // has the 6.3 change from stable 6.1.167
        assertThat(v510.sideEffectReadsFiltered()).isTrue();
        assertThat(at("5.18").sideEffectReadsFiltered()).isFalse();
        assertThat(v510.f15hPerfReadsComplete()).isTrue();
        assertThat(at("5.13").f15hPerfReadsComplete()).isFalse();

        assertThat(v510.unsupportedPmuMsrFailsWithInvalid(0x3f1)).isFalse();
        assertThat(v61old.unsupportedPmuMsrFailsWithInvalid(0x3f1)).isTrue();
        assertThat(v61old.unsupportedPmuMsrFailsWithInvalid(0xc0010200)).isTrue();
        assertThat(at("5.15").unsupportedPmuMsrFailsWithInvalid(0xc0010200)).isTrue();
        assertThat(v61.unsupportedPmuMsrFailsWithInvalid(0x3f1)).isFalse();
        assertThat(at("6.12").unsupportedPmuMsrFailsWithInvalid(0xc0010200)).isFalse();
        assertThatThrownBy(() -> at("5.15").unsupportedPmuMsrFailsWithInvalid(0x3f1)).isInstanceOf(ModelLimitation.class)
                .hasMessageContaining("5.15");
    }

    @Test
    void aRangeWithInvalidFlagsAndAnUnreadableBitmapIsEfaultIn510AndEinvalSince61() {
        io.msrconf.filter.MsrFilter filter = new io.msrconf.filter.MsrFilter(0,
                List.of(new io.msrconf.filter.FilterRange(0x4, 1, 0x10, new byte[] {0})),
                java.util.Map.of(0, io.msrconf.filter.BitmapMemory.UNMAPPED));
        assertThat(new FilterModel(Set.of(), at("5.10.223")).set(filter)).isEqualTo(io.msrconf.abi.Errno.EFAULT);
        assertThat(new FilterModel(Set.of(), at("6.1.176")).set(filter)).isEqualTo(io.msrconf.abi.Errno.EINVAL);
        assertThat(new FilterModel(Set.of(), ModelProfile.LATEST).set(filter)).isEqualTo(io.msrconf.abi.Errno.EINVAL);
        assertThatThrownBy(() -> new FilterModel(Set.of(), at("5.15")).set(filter)).isInstanceOf(ModelLimitation.class);
        // with a readable bitmap the order does not matter, and the model says so on every kernel
        io.msrconf.filter.MsrFilter readable = new io.msrconf.filter.MsrFilter(0,
                List.of(new io.msrconf.filter.FilterRange(0x4, 1, 0x10, new byte[] {0})));
        assertThat(new FilterModel(Set.of(), at("5.15")).set(readable)).isEqualTo(io.msrconf.abi.Errno.EINVAL);
    }

    @Test
    void aReadOfF15hPerfCtlWithoutPerfctrCoreCompletesBefore513AndExitsAfter() {
        KvmModel old = new KvmModel(EFER, Set.of(), at("5.10.223"));
        assertThat(old.enableUserSpaceMsr(0x3)).isZero();
        assertThat(old.rdmsr(0xc0010200)).isEqualTo(new MsrResult.Done(0));
        KvmModel mid = new KvmModel(EFER, Set.of(), at("6.1.100"));
        assertThat(mid.enableUserSpaceMsr(0x3)).isZero();
        assertThat(mid.rdmsr(0xc0010200)).isInstanceOf(MsrResult.ExitToUserspace.class)
                .extracting(r -> ((MsrResult.ExitToUserspace) r).reason()).isEqualTo(io.msrconf.abi.ExitReason.INVAL.bit);
        KvmModel latest = new KvmModel(EFER, Set.of(), ModelProfile.LATEST);
        assertThat(latest.enableUserSpaceMsr(0x3)).isZero();
        assertThat(((MsrResult.ExitToUserspace) latest.rdmsr(0xc0010200)).reason()).isEqualTo(io.msrconf.abi.ExitReason.UNKNOWN.bit);
    }

    private static ModelProfile at(String version) {
        return ModelProfile.of(KernelVersion.parse(version), List.of("kvm_amd"), Optional.empty());
    }

    private static long tprAfterWriting(long value, ModelProfile profile) {
        KvmModel model = new KvmModel(EFER, Set.of(), profile);
        assertThat(model.hostSetMsrs(new int[] {Msr.MSR_IA32_APICBASE}, new long[] {Msr.APIC_BASE_X2APIC_BSP})).isEqualTo(1);
        assertThat(model.wrmsr(0x808, value)).isInstanceOf(MsrResult.Done.class);
        return ((MsrResult.Done) model.rdmsr(0x808)).value();
    }
}
