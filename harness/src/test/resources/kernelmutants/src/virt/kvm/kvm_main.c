// the build copies virt/kvm too; nothing here is mutated
