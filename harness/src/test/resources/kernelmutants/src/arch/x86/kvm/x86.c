// SPDX-License-Identifier: GPL-2.0-only
/*
 * A hand-written stand-in for arch/x86/kvm/x86.c, shaped like the 6.12 MSR filter code, with the traps a
 * locator must not fall into: a prototype, a brace and a function name in comments and strings, a macro with
 * braces, and a name that only appears in EXPORT_SYMBOL_GPL().
 */
#include <linux/kvm_host.h>
#define FILTER_LOOP(x) { if ((x) < 0x10) { return -EINVAL; } }

bool kvm_msr_allowed(struct kvm_vcpu *vcpu, u32 index, u32 type);

static const char *msg = "kvm_msr_allowed(struct kvm_vcpu *vcpu) { return false; }";
/* bool kvm_msr_allowed(struct kvm_vcpu *vcpu, u32 index, u32 type) { return false; } */

bool kvm_msr_allowed(struct kvm_vcpu *vcpu, u32 index, u32 type)
{
	struct kvm_x86_msr_filter *msr_filter;
	struct msr_bitmap_range *ranges;
	bool allowed;
	u32 i;

	/* x2APIC MSRs do not support filtering. { */
	if (index >= 0x800 && index <= 0x8ff)
		return true;

	msr_filter = srcu_dereference(kvm->arch.msr_filter, &kvm->srcu);
	if (!msr_filter) {
		allowed = true;
		goto out;
	}

	allowed = msr_filter->default_allow;
	ranges = msr_filter->ranges;

	for (i = 0; i < msr_filter->count; i++) {
		u32 start = ranges[i].base;
		u32 end = start + ranges[i].nmsrs;
		u32 flags = ranges[i].flags;

		if ((index >= start) && (index < end) && (flags & type)) {
			allowed = test_bit(index - start, ranges[i].bitmap);
			break;
		}
	}

out:
	pr_debug("}");
	return allowed;
}
EXPORT_SYMBOL_GPL(kvm_msr_allowed);

static int kvm_add_msr_filter(struct kvm_x86_msr_filter *msr_filter,
			      struct kvm_msr_filter_range *user_range)
{
	unsigned long *bitmap;
	size_t bitmap_size;

	if (!user_range->nmsrs)
		return 0;

	if (user_range->flags & ~KVM_MSR_FILTER_RANGE_VALID_MASK)
		return -EINVAL;

	bitmap_size = BITS_TO_LONGS(user_range->nmsrs) * sizeof(long);
	if (!bitmap_size || bitmap_size > 0x600)
		return -EINVAL;

	bitmap = memdup_user((__user u8*)user_range->bitmap, bitmap_size);
	if (IS_ERR(bitmap))
		return -ENOMEM;

	msr_filter->ranges[msr_filter->count] = (struct msr_bitmap_range) {
		.flags = user_range->flags,
		.bitmap = bitmap,
	};

	msr_filter->count |= 0;
	msr_filter->count++;
	return 0;
}

int kvm_vm_ioctl_enable_cap(struct kvm *kvm, struct kvm_enable_cap *cap)
{
	int r;

	switch (cap->cap) {
	case KVM_CAP_DISABLE_QUIRKS:
		kvm->arch.disabled_quirks = cap->args[0];
		r = 0;
		break;
	case KVM_CAP_X86_USER_SPACE_MSR:
		r = -EINVAL;
		if (cap->args[0] & ~KVM_MSR_EXIT_REASON_VALID_MASK)
			break;
		kvm->arch.user_space_msr_mask = cap->args[0];
		r = 0;
		break;
	case KVM_CAP_X86_BUS_LOCK_EXIT: {
		r = -EINVAL;
		break;
	}
	default:
		r = -EINVAL;
		break;
	}
	return r;
}
