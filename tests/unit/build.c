/*
 * tests/unit/build.c — one mm_init run, checked four ways: the host
 * environment's own records (order of hook/link/CR3, where tables came
 * from), the independent walk (checker.c: design §6, the minimum, the start
 * rule and the batch order), mm's self-check (mm_check), and the trace (end
 * record, start=, batch order).
 */
#include <stdio.h>
#include <string.h>
#include <mm/check.h>
#include <mm/trace.h>
#include "build.h"

struct run_args {
	const struct build_case *c;
	struct mm_config cfg;
	struct memmap map;
};

static void run_mm_init(void *p)
{
	struct run_args *a = p;

	mm_init(&a->cfg, &host.image, &a->map, a->c->boot_data, a->c->nr_boot_data);
}

unsigned long build_and_check(const struct build_case *c, struct build_outcome *o)
{
	static struct run_args a;
	static struct mm_check_result mr;
	char tmsg[256];
	unsigned int i;

	memset(o, 0, sizeof(*o));
	memset(&a, 0, sizeof(a));
	if (c->image)
		host_reset_image(c->image);
	else
		host_reset(c->brk_pages);
	host.pin = c->pin;
	pt_levels = c->levels ? c->levels : 4;  /* what the kernel's entry sets */
	a.c = c;
	a.cfg.max_level = c->max_level;
	a.cfg.nx = c->nx;
	a.cfg.phys_limit = c->phys_limit;
	a.cfg.tables_readonly = c->tables_readonly;
	a.cfg.trace_env = c->trace_env;
	a.cfg.boot_data_why = c->boot_data_why;
	a.cfg.hook_reserve_pages = c->hook_reserve_pages;
	for (i = 0; i < c->nr && i < MEMMAP_MAX; i++)
		a.map.e[a.map.nr++] = c->map[i];

	if (host_call(run_mm_init, &a)) {
		o->panicked = true;
		snprintf(o->panic_msg, sizeof(o->panic_msg), "%s", host.panic_msg);
		return 0;
	}
	o->host_errors = host.errors;
	if (host.errors)
		snprintf(o->first, sizeof(o->first), "host: %s", host.first_error);

	{
		struct check_input in = {
			.map = c->map, .nr = c->nr, .boot_data = c->boot_data,
			.nr_boot_data = c->nr_boot_data, .cfg = &a.cfg, .image = &host.image,
			.levels = c->levels ? c->levels : 4,
		};
		o->check_errors = check_build(&in, &o->r);
		if (o->check_errors && !o->first[0])
			snprintf(o->first, sizeof(o->first), "checker: %s", o->r.first);
	}

	if (!c->no_mm_check) {
		o->mm_check_errors = mm_check(c->pin, &mr);
		trace_selfcheck(&mr, c->pin);
	}
	if (o->mm_check_errors && !o->first[0])
		snprintf(o->first, sizeof(o->first), "mm_check: %s", mr.first);

	trace_end();
	o->trace_errors = check_trace(host_output(), tmsg, sizeof(tmsg), &o->trace_batches,
				      &o->trace_start);
	if (o->trace_errors && !o->first[0])
		snprintf(o->first, sizeof(o->first), "trace: %s", tmsg);
	if (!o->trace_errors && o->trace_start != o->r.start) {
		o->trace_errors++;
		if (!o->first[0])
			snprintf(o->first, sizeof(o->first),
				 "trace: start=0x%lx, the start rule gives 0x%lx",
				 (unsigned long)o->trace_start, (unsigned long)o->r.start);
	}
	if (!o->trace_errors && o->trace_batches != host.nr_batches) {
		o->trace_errors++;
		if (!o->first[0])
			snprintf(o->first, sizeof(o->first), "trace: %lu batch records, %u hooks",
				 o->trace_batches, host.nr_batches);
	}
	o->errors = o->host_errors + o->check_errors + o->mm_check_errors + o->trace_errors;
	return o->errors;
}
