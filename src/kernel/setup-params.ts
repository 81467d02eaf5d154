// SPDX-License-Identifier: GPL-2.0-only
// The boot parameters Debian's 6.1 amd64 kernel knows by name, as its vmlinux lists them
// (6.1.0-56-amd64, the corpus kernel): the __setup()/early_param() table (struct
// obs_kernel_param between __setup_start and __setup_end, in link order) and the built-in
// kernel_param entries of the __param section whose names have no "module." prefix. Read from
// the image itself (.init.data's 24-byte {str, setup_func, early} records, __param's 40-byte
// records), so what the build leaves out (modules, other arches) is not here.

/** early_param() names: matched on the name part only ("memblock=debug" is "memblock"). */
export const EARLY_PARAMS: ReadonlySet<string> = new Set((
  'rodata randomize_kstack_offset bootconfig loglevel quiet debug hostname initrd initrdmem vsyscall ' +
  'xen_legacy_crash xen_timer_slop xen_no_vector_callback xen_nopv xen_emul_unplug xen_msr_safe ' +
  'xen_nopvspin hv_nopvspin memmap mem iommu tsc_early_khz io_delay idle noinvpcid nopcid vmscape ' +
  'spec_rstack_overflow l1tf tsa spectre_bhi indirect_target_selection retbleed nospectre_v1 ' +
  'gather_data_sampling l1d_flush srbds reg_file_data_sampling mmio_stale_data tsx_async_abort mds ' +
  'nosgx rdrand disable_mtrr_trim mtrr_spare_reg_nr mtrr_gran_size mtrr_chunk_size mtrr_cleanup_debug ' +
  'enable_mtrr_cleanup disable_mtrr_cleanup no-steal-acc no-vmw-sched-clock nopv acpi_sci ' +
  'acpi_use_timer_override acpi_skip_timer_override pci bgrt_disable acpi possible_cpus cpu_init_udelay ' +
  'alloc_mptable update_mptable apic_extnmi disable_cpu_apicid apic nolapic_timer noapictimer ' +
  'lapic_timer_c2_ok nolapic disableapic nox2apic lapic disable_timer_pin_1 noapic x2apic_phys ' +
  'earlyprintk no-steal-acc no-kvmapf no-kvmclock-vsyscall no-kvmclock gart_fix_e820 nogbpages gbpages ' +
  'userpte nopat numa efi_no_storage_paranoia add_efi_memmap panic_on_taint oops mitigations nosmt ' +
  'sched_verbose nopvspin keep_bootcon boot_delay ignore_loglevel log_buf_len threadirqs rcu_nocb_poll ' +
  'swiotlb coherent_pool skew_tick maxcpus nr_cpus nosmp crashkernel elfcorehdr mminit_loglevel ' +
  'percpu_alloc nohugevmalloc nohugeiomap movablecore kernelcore init_on_free init_on_alloc memblock ' +
  'movable_node page_poison memtest early_ioremap_debug early_page_ext proc_mem.force_override debugfs ' +
  'ipcmni_extend lockdown stack_depot_disable pci acpi_force_32bit_fadt_addr ' +
  'acpi_force_table_verification acpi_apic_instance acpi_no_static_ssdt acpi_rsdp earlycon ' +
  'random.trust_bootloader random.trust_cpu iommu.strict iommu.passthrough iommu.forcedac intremap ' +
  'nointremap fw_devlink.strict fw_devlink amd_pstate intel_pstate efi noefi no_hash_pointers ' +
  'debug_boot_weak_hash'
).split(' ').filter((s) => s !== ''));

/**
 * Non-early __setup() strings, in table order: matched as a prefix of "name=value" (so
 * "console=" needs the '=', and "quiet…" anything starting with the string).
 */
export const SETUP_PARAMS: readonly string[] = (
  'initcall_blacklist= rdinit= init= reset_devices rootdelay= rootfstype= rootflags= rootwait root= rw ' +
  'ro load_ramdisk= noinitrd initramfs_async= retain_initrd lpj= vdso= vdso32= strict_sas_size ' +
  'unknown_nmi_panic align_va_addr= cpu0_hotplug noreplace-smp debug-alternative tsc= notsc clearcpuid= ' +
  'nopku nofsgsbase ring3mwait=disable nomce mce rdt acpi_sleep= nonmi_ipi apicpmtimer ' +
  'no_ipi_broadcast= show_lapic= no_timer_check nohpet hpet= sev= noexec32= debugpat init_pkru= ' +
  'coredump_filter= iomem= reserve= no_file_caps print-fatal-signals= reboot= preempt= ' +
  'resched_latency_warn_ms= schedstats= sched_thermal_decay_shift= noautogroup isolcpus= nohz_full= ' +
  'psi= relax_domain_level= pm_debug_messages mem_sleep_default= nohibernate resumedelay= resumewait ' +
  'hibernate= resume= resume_offset= noresume no_console_suspend console= console_msg_format= ' +
  'printk.devkmsg= irqaffinity= irqpoll irqfixup noirqdebug rcu_nocbs profile= highres= ntp_tick_adj= ' +
  'clock= clocksource= nohz= cgroup_debug cgroup_disable= cgroup_no_v1= audit_backlog_limit= audit= ' +
  'watchdog_thresh= nosoftlockup nowatchdog softlockup_panic= nmi_watchdog= delayacct ' +
  'ftrace_graph_max_depth= ftrace_graph_notrace= ftrace_graph_filter= ftrace_filter= ftrace_notrace= ' +
  'tracing_thresh= trace_buf_size= tp_printk_stop_on_boot tp_printk trace_clock= trace_options= ' +
  'ftrace_boot_snapshot alloc_snapshot traceoff_on_warning ftrace_dump_on_oops ftrace= stacktrace ' +
  'trace_event= kprobe_event= slab_merge slab_nomerge slub_merge slub_nomerge norandmaps ' +
  'stack_guard_gap= hashdist= memhp_default_state= default_hugepagesz= hugepagesz= hugepages= ' +
  'numa_balancing= slub_min_objects= slub_max_order= slub_min_order= slub_debug transparent_hugepage= ' +
  'swapaccount= cgroup.memory= hardened_usercopy= dhash_entries= ihash_entries= initramfs_options= ' +
  'mphash_entries= mhash_entries= lsm.debug lsm= security= checkreqprot= enforcing= TOMOYO_trigger= ' +
  'TOMOYO_loader= apparmor= integrity_audit= ima_canonical_fmt ima_hash= ima_appraise_tcb ima_policy= ' +
  'ima_tcb ima_template_fmt= ima_template= evm= fips= ca_keys= elevator= gpt dyndbg= pcie_port_pm= ' +
  'pcie_ports= pcie_aspm= pcie_pme= no-scroll video= fbcon= acpi_osi= acpica_no_return_repair ' +
  'acpi_enforce_resources= acpi_no_auto_serialize acpi_os_name= acpi_rev_override acpi_backlight= ' +
  'acpi_irq_balance acpi_irq_nobalance acpi_irq_pci= acpi_irq_isa= acpi_mask_gpe= acpi_no_watchdog ' +
  'acpi_no_memhotplug hest_disable erst_disable bert_disable pnp_reserve_mem= pnp_reserve_io= ' +
  'pnp_reserve_dma= pnp_reserve_irq= pnpacpi= clk_ignore_unused sysrq_always_enabled hpet_mmap= agp= ' +
  'ivrs_acpihid ivrs_hpet ivrs_ioapic amd_iommu_intr= amd_iommu= amd_iommu_dump intel_iommu= nomodeset ' +
  'driver_async_probe= deferred_probe_timeout= devtmpfs.mount= pd_ignore_unused int_pln_enable ' +
  'efivar_ssdt= dump_apple_properties pmtmr= acpi_pm_good ras fb_tunnels= thash_entries= ' +
  'tcpmhash_entries= uhash_entries='
).split(' ').filter((s) => s !== '');

/** core_param() and other unprefixed built-in kernel_param names, handled by parse_one(). */
export const CORE_PARAMS: ReadonlySet<string> = new Set([
  'initcall_debug', 'crash_kexec_post_notifiers', 'panic_on_warn', 'pause_on_oops', 'panic_print', 'panic',
  'module_blacklist', 'nomodule', 'ignore_rlimit_data', 'hugetlb_free_vmemmap', 'ima_appraise', 'xen_scrub_pages',
  'consoleblank',
]);

/** sysctl_aliases[] (fs/proc/proc_sysctl.c): boot parameters that are sysctls, set later. */
export const SYSCTL_ALIASES: ReadonlySet<string> = new Set([
  'hardlockup_all_cpu_backtrace', 'hung_task_panic', 'numa_zonelist_order', 'softlockup_all_cpu_backtrace',
]);
