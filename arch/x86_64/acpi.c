/*
 * acpi.c — RSDP -> RSDT/XSDT -> MADT, checked, into struct acpi_info.
 *
 * Layouts (ACPI 6.5, sections 5.2.5 RSDP, 5.2.6 SDT header, 5.2.7 RSDT,
 * 5.2.8 XSDT, 5.2.12 MADT): no Debian package ships them as a freestanding
 * header, so the few structures are spelled out here, with their sizes
 * asserted.
 *
 * Every table is read through the boot identity map (boot_phys, below
 * 4 GiB) before mm runs; nothing is kept mapped afterwards: what the kernel
 * needs is copied into `acpi`.
 */
#include <stdarg.h>
#include <arch/acpi.h>
#include <arch/bootmem.h>
#include <kernel/boot_info.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <lib/string.h>

struct acpi_rsdp {
	char signature[8];              /* "RSD PTR " */
	uint8_t checksum;               /* first 20 bytes sum to 0 */
	char oem_id[6];
	uint8_t revision;               /* 0: ACPI 1.0 (20 bytes); 2: 2.0+ */
	uint32_t rsdt_pa;
	uint32_t length;                /* 2.0+: whole structure */
	uint64_t xsdt_pa;
	uint8_t ext_checksum;           /* whole structure sums to 0 */
	uint8_t reserved[3];
} __attribute__((packed));

struct acpi_sdt {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));

struct acpi_madt {
	struct acpi_sdt h;
	uint32_t lapic_pa;
	uint32_t flags;
} __attribute__((packed));

_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP is 36 bytes");
_Static_assert(sizeof(struct acpi_sdt) == 36, "SDT header is 36 bytes");
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT fixed part is 44 bytes");

#define MADT_LAPIC              0
#define MADT_LAPIC_OVERRIDE     5
#define MADT_X2APIC             9
#define MADT_CPU_ENABLED        (1u << 0)
#define MADT_CPU_ONLINE_CAPABLE (1u << 1)
#define SDT_MAX_LEN             (1u << 20)      /* sanity bound */

struct acpi_info acpi;

/* A malformed table: say which and why, and use no ACPI (the boot CPU
 * only).  Returns false, so that callers can `return bad(...)`. */
__attribute__((format(printf, 1, 2)))
static bool bad(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk("acpi: BAD TABLE: %s: ACPI ignored, the boot CPU only\n", msg);
	acpi.bad = true;
	return false;
}

static uint8_t sum8(const void *p, uint32_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (n--)
		s += *b++;
	return s;
}

static bool rsdp_ok(const struct acpi_rsdp *r)
{
	if (memcmp(r->signature, "RSD PTR ", 8) || sum8(r, 20))
		return false;
	return r->revision < 2 || (r->length >= sizeof(*r) && r->length <= 4096);
}

/* ACPI 6.5 5.2.5.1: the first KiB of the EBDA, then 0xe0000-0xfffff, on
 * 16-byte boundaries. */
static uint64_t bios_scan(void)
{
	uint64_t ebda = (uint64_t)*(const uint16_t *)boot_phys(0x40e, 2, "BIOS data area") << 4;
	uint64_t areas[2][2] = { { ebda, ebda + 1024 }, { 0xe0000, 0x100000 } };
	unsigned int a;

	for (a = 0; a < 2; a++) {
		uint64_t pa;

		if (areas[a][0] < 0x400 || areas[a][1] > 0x100000)
			continue;
		for (pa = areas[a][0]; pa + 20 <= areas[a][1]; pa += 16) {
			const struct acpi_rsdp *r = boot_phys(pa, 20, "BIOS area");

			if (!memcmp(r->signature, "RSD PTR ", 8) && !sum8(r, 20))
				return pa;
		}
	}
	return 0;
}

/*
 * Xen 4.17 builds a PVH dom0's XSDT with the header of the firmware's XSDT,
 * read at the firmware RSDP's xsdt_physical_address — 0 when the firmware
 * has only an RSDT (SeaBIOS: an ACPI 1.0 RSDP).  So the header is a copy
 * of physical address 0, the real-mode IVT ("53 ff 00 f0" = F000:FF53),
 * with Xen's own length and checksum; the entries are right (fixed in later
 * Xen: the header is made, not copied).  Recognised exactly: every header
 * byte but length, revision and checksum equals physical 0's.
 */
static bool xsdt_header_from_zero(const struct acpi_sdt *h)
{
	volatile uintptr_t zero = 0;    /* physical 0, through the boot identity map */
	const uint8_t *b = (const uint8_t *)h, *z = (const uint8_t *)zero;

	return !memcmp(b, z, 4) && !memcmp(b + 10, z + 10, sizeof(*h) - 10);
}

/* A checked system description table at pa with signature sig, or NULL
 * (said). */
static const struct acpi_sdt *sdt_map(uint64_t pa, const char *sig, const char *from)
{
	const struct acpi_sdt *h = boot_phys(pa, sizeof(*h), sig);
	const uint8_t *b = (const uint8_t *)h->signature;

	if (memcmp(h->signature, sig, 4) && !strcmp(sig, "XSDT") && xsdt_header_from_zero(h)) {
		printk("acpi: XSDT at 0x%lx (from %s) has the header of physical address 0 (signature bytes %02x %02x %02x %02x: Xen 4.17 copies a PVH dom0's XSDT header from the firmware's XSDT address, 0 here, the firmware having only an RSDT); length and checksum still checked, entries used\n",
		       (unsigned long)pa, from, b[0], b[1], b[2], b[3]);
		acpi.xsdt_header_quirk = true;
	} else if (memcmp(h->signature, sig, 4)) {
		bad("%s at 0x%lx (from %s): signature bytes %02x %02x %02x %02x, want \"%s\"", sig,
		    (unsigned long)pa, from, b[0], b[1], b[2], b[3], sig);
		return NULL;
	}
	if (h->length < sizeof(*h) || h->length > SDT_MAX_LEN) {
		bad("%s at 0x%lx: length %u out of range [%zu, %u]", sig, (unsigned long)pa,
		    h->length, sizeof(*h), SDT_MAX_LEN);
		return NULL;
	}
	h = boot_phys(pa, h->length, sig);
	if (sum8(h, h->length)) {
		bad("%s at 0x%lx: bad checksum (%u bytes sum to 0x%02x, want 0)", sig,
		    (unsigned long)pa, h->length, sum8(h, h->length));
		return NULL;
	}
	return h;
}

static void add_cpu(uint32_t apic_id, uint32_t uid, uint32_t flags, bool x2apic)
{
	struct acpi_cpu *c;

	if (flags & MADT_CPU_ENABLED)
		acpi.nr_enabled++;
	else if (flags & MADT_CPU_ONLINE_CAPABLE)
		acpi.nr_online_capable++;
	else
		acpi.nr_ignored++;
	if (acpi.nr_cpu == MAX_CPUS) {
		acpi.nr_over++;
		return;
	}
	c = &acpi.cpu[acpi.nr_cpu++];
	c->apic_id = apic_id;
	c->uid = uid;
	c->enabled = flags & MADT_CPU_ENABLED;
	c->online_capable = !c->enabled && (flags & MADT_CPU_ONLINE_CAPABLE);
	c->x2apic = x2apic;
}

static bool parse_madt(const struct acpi_madt *m)
{
	const uint8_t *p = (const uint8_t *)(m + 1);
	const uint8_t *end = (const uint8_t *)m + m->h.length;

	if (m->h.length < sizeof(*m))
		return bad("MADT at 0x%lx: length %u is shorter than its fixed part (%zu)",
			   (unsigned long)acpi.madt_pa, m->h.length, sizeof(*m));
	acpi.lapic_pa = m->lapic_pa;
	acpi.madt_flags = m->flags;
	while (p < end) {
		uint8_t type = p[0], len = end - p >= 2 ? p[1] : 0;

		if (len < 2 || p + len > end)
			return bad("MADT at 0x%lx: entry type %u at offset 0x%lx has length %u (table is %u bytes)",
			      (unsigned long)acpi.madt_pa, type,
			      (unsigned long)(p - (const uint8_t *)m), len, m->h.length);
		switch (type) {
		case MADT_LAPIC:
			if (len < 8)
				return bad("MADT: Local APIC entry of length %u (want 8)", len);
			add_cpu(p[3], p[2], *(const uint32_t *)(p + 4), false);
			break;
		case MADT_X2APIC:
			if (len < 16)
				return bad("MADT: Local x2APIC entry of length %u (want 16)", len);
			add_cpu(*(const uint32_t *)(p + 4), *(const uint32_t *)(p + 12),
				*(const uint32_t *)(p + 8), true);
			break;
		case MADT_LAPIC_OVERRIDE:
			if (len < 12)
				return bad("MADT: Local APIC address override of length %u (want 12)", len);
			acpi.lapic_pa = *(const uint64_t *)(p + 4);
			break;
		}
		p += len;
	}
	return true;
}

void acpi_init(const struct boot_info *bi)
{
	const struct acpi_rsdp *r;
	const struct acpi_sdt *sdt;
	unsigned int i, n, width;

	acpi.rsdp_pa = bi->rsdp_pa;
	acpi.rsdp_source = bi->rsdp_source;
	if (bi->protocol == PROTO_XEN_PV) {     /* no firmware, no ACPI, no LAPIC */
		printk("acpi: none in a Xen PV domain: the vCPUs come from Xen (VCPUOP_is_up)\n");
		return;
	}
	if (!acpi.rsdp_pa) {
		acpi.rsdp_pa = bios_scan();
		acpi.rsdp_source = "bios-scan";
	}
	if (!acpi.rsdp_pa) {
		printk("acpi: no RSDP (boot protocol gave none, BIOS areas hold none): the boot CPU only\n");
		return;
	}
	r = boot_phys(acpi.rsdp_pa, 20, "RSDP");
	if (r->revision >= 2)
		r = boot_phys(acpi.rsdp_pa, sizeof(*r), "RSDP");
	if (!rsdp_ok(r)) {
		bad("RSDP at 0x%lx (from %s) is invalid: signature \"%.8s\", revision %u, checksum %s%s",
		      (unsigned long)acpi.rsdp_pa, acpi.rsdp_source, r->signature, r->revision,
		      sum8(r, 20) ? "bad" : "ok",
		      r->revision >= 2 && (r->length < sizeof(*r) || r->length > 4096) ?
		      ", bad length" : "");
		return;
	}
	if (r->revision >= 2 && sum8(r, r->length)) {
		bad("RSDP at 0x%lx (from %s): bad extended checksum over %u bytes",
		    (unsigned long)acpi.rsdp_pa, acpi.rsdp_source, r->length);
		return;
	}
	acpi.have_rsdp = true;
	acpi.rsdp_revision = r->revision;
	if (r->revision >= 2 && r->xsdt_pa) {
		acpi.sdt = "XSDT";
		acpi.sdt_pa = r->xsdt_pa;
		width = 8;
	} else {
		acpi.sdt = "RSDT";
		acpi.sdt_pa = r->rsdt_pa;
		width = 4;
	}
	if (!acpi.sdt_pa) {
		bad("RSDP at 0x%lx (from %s) points to no %s", (unsigned long)acpi.rsdp_pa,
		    acpi.rsdp_source, acpi.sdt);
		return;
	}
	sdt = sdt_map(acpi.sdt_pa, acpi.sdt, "RSDP");
	if (!sdt)
		return;
	n = (sdt->length - sizeof(*sdt)) / width;
	for (i = 0; i < n; i++) {
		const uint8_t *e = (const uint8_t *)(sdt + 1) + i * width;
		uint64_t pa = width == 8 ? *(const uint64_t *)e : *(const uint32_t *)e;
		const struct acpi_sdt *h;

		if (!pa)
			continue;
		h = boot_phys(pa, sizeof(*h), "ACPI table");
		if (memcmp(h->signature, "APIC", 4))
			continue;
		acpi.madt_pa = pa;
		h = sdt_map(pa, "APIC", acpi.sdt);
		if (!h)
			return;
		acpi.madt_len = h->length;
		if (!parse_madt((const struct acpi_madt *)h)) {
			memset(acpi.cpu, 0, sizeof(acpi.cpu));
			acpi.nr_cpu = acpi.nr_enabled = acpi.nr_online_capable = 0;
			acpi.nr_ignored = acpi.nr_over = 0;
			return;
		}
		acpi.have_madt = true;
		break;
	}
	printk("acpi: rsdp=0x%lx source=%s revision=%u %s=0x%lx madt=0x%lx checksums=ok\n",
	       (unsigned long)acpi.rsdp_pa, acpi.rsdp_source, acpi.rsdp_revision, acpi.sdt,
	       (unsigned long)acpi.sdt_pa, (unsigned long)acpi.madt_pa);
	if (!acpi.have_madt) {
		printk("acpi: the %s lists no MADT: the boot CPU only\n", acpi.sdt);
		return;
	}
	printk("acpi: madt lapic=0x%lx flags=0x%x processors=%u enabled=%u online_capable=%u ignored=%u%s\n",
	       (unsigned long)acpi.lapic_pa, acpi.madt_flags, acpi.nr_cpu + acpi.nr_over,
	       acpi.nr_enabled, acpi.nr_online_capable, acpi.nr_ignored,
	       acpi.nr_over ? " (more than MAX_CPUS: the rest dropped)" : "");
	for (i = 0; i < acpi.nr_cpu; i++)
		printk("acpi: cpu uid=%u apic=%u %s%s\n", acpi.cpu[i].uid, acpi.cpu[i].apic_id,
		       acpi.cpu[i].enabled ? "enabled" :
		       acpi.cpu[i].online_capable ? "online-capable (not present: not started)" :
		       "disabled (ignored)", acpi.cpu[i].x2apic ? " x2apic" : "");
}
