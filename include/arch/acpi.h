/*
 * include/arch/acpi.h — the CPUs ACPI's MADT lists.
 *
 * acpi_init() runs before mm (the boot identity map reaches the tables):
 * it finds the RSDP (from the boot protocol, else the BIOS areas), checks
 * every signature, length and checksum on the way (RSDP, RSDT/XSDT, MADT)
 * and copies the CPU list into the kernel.  A malformed table is one line
 * "acpi: BAD TABLE: <table> at <pa>: <what is wrong>: ACPI ignored, the
 * boot CPU only" and the run goes on; no RSDP or no MADT likewise means
 * the boot CPU only, said in the log.  (Xen 4.17's PVH dom0 is such a case:
 * its RSDP's XSDT address holds no XSDT.)
 */
#ifndef ARCH_ACPI_H
#define ARCH_ACPI_H

#include <stdbool.h>
#include <stdint.h>
#include <mm/layout.h>

struct boot_info;

/* One processor entry of the MADT (type 0, Local APIC, or type 9,
 * Local x2APIC).  ACPI 6.3+ flags: bit 0 Enabled, bit 1 Online Capable. */
struct acpi_cpu {
	uint32_t apic_id;
	uint32_t uid;           /* ACPI processor id / UID */
	bool enabled;           /* present and usable now: start it */
	bool online_capable;    /* not present, could be hot-added: not started */
	bool x2apic;            /* from a type-9 entry */
};

#define MADT_PCAT_COMPAT    (1u << 0)   /* ACPI: mask the 8259s when using the APICs */

struct acpi_info {
	bool have_rsdp, have_madt;
	bool bad;                       /* a table was malformed (said): ACPI ignored */
	const char *rsdp_source;        /* "start_info", "multiboot2-acpi-new", "bios-scan", ... */
	uint64_t rsdp_pa;
	unsigned int rsdp_revision;
	const char *sdt;                /* "XSDT" or "RSDT" */
	uint64_t sdt_pa, madt_pa;
	uint32_t madt_len;
	uint64_t lapic_pa;              /* after any type-5 override */
	uint32_t madt_flags;            /* MADT_PCAT_COMPAT: PC-AT 8259 pair present */

	struct acpi_cpu cpu[MAX_CPUS];  /* every processor entry listed, in MADT order */
	unsigned int nr_cpu;
	unsigned int nr_enabled;        /* entries with Enabled set */
	bool xsdt_header_quirk;         /* Xen 4.17 PVH dom0: XSDT header copied from 0 (acpi.c) */
	unsigned int nr_online_capable; /* not enabled but online capable */
	unsigned int nr_ignored;        /* neither: ACPI says ignore them */
	unsigned int nr_over;           /* entries beyond MAX_CPUS, dropped (said) */
};

extern struct acpi_info acpi;

/* Find and check the MADT; fills `acpi`.  Must run while the boot identity
 * map is live (before mm_init). */
void acpi_init(const struct boot_info *bi);

#endif /* ARCH_ACPI_H */
