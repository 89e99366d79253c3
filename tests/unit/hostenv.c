/*
 * tests/unit/hostenv.c — the host environment of mm/ (see hostenv.h).
 *
 * Simulated physical memory is a hash of touched page frames, reset in O(1)
 * by bumping a generation number; host page buffers are pooled and reused,
 * so that a fuzzer can run millions of builds without allocating.
 *
 * The recording backend (pv_ops) is in hostpv.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <mm/trace.h>
#include "hostenv.h"

struct host_state host;

/* ------------------------------------------------------------ memory --- */

struct frame {
	uint64_t key;           /* pfn */
	uint32_t gen;           /* valid iff == mem_gen */
	void *mem;
	struct host_meta meta;
};

struct rframe {                 /* reverse map: host page -> pfn */
	uintptr_t key;
	uint32_t gen;
	uint64_t pfn;
};

static struct frame *frames;
static struct rframe *rframes;
static size_t frames_cap, frames_used;  /* power of two; entries this gen */
static uint32_t mem_gen = 1, walk_epoch = 1;

static void **pool;                     /* host pages, reused across resets */
static size_t pool_cap, pool_len, pool_next;

static unsigned char brk_buf[HOST_BRK_MAX_PAGES * PAGE_SIZE] __attribute__((aligned(4096)));

static size_t hash64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return (size_t)k;
}

static struct frame *frame_find(uint64_t pfn)
{
	size_t m = frames_cap - 1, i;

	if (!frames)
		return NULL;
	for (i = hash64(pfn) & m;; i = (i + 1) & m) {
		if (frames[i].gen != mem_gen)
			return NULL;
		if (frames[i].key == pfn)
			return &frames[i];
	}
}

static void rframe_put(uintptr_t hp, uint64_t pfn)
{
	size_t m = frames_cap - 1, i;

	for (i = hash64(hp) & m; rframes[i].gen == mem_gen; i = (i + 1) & m)
		;
	rframes[i].key = hp;
	rframes[i].gen = mem_gen;
	rframes[i].pfn = pfn;
}

static struct frame *frame_put_raw(uint64_t pfn, void *mem, const struct host_meta *meta)
{
	size_t m = frames_cap - 1, i;

	for (i = hash64(pfn) & m; frames[i].gen == mem_gen; i = (i + 1) & m)
		;
	frames[i].key = pfn;
	frames[i].gen = mem_gen;
	frames[i].mem = mem;
	if (meta)
		frames[i].meta = *meta;
	else
		memset(&frames[i].meta, 0, sizeof(frames[i].meta));
	rframe_put((uintptr_t)mem >> PAGE_SHIFT, pfn);
	return &frames[i];
}

static void frames_grow(void)
{
	struct frame *old = frames;
	struct rframe *rold = rframes;
	size_t ocap = frames_cap, i;
	uint32_t ogen = mem_gen;

	frames_cap = ocap ? ocap * 2 : 4096;
	frames = calloc(frames_cap, sizeof(*frames));
	rframes = calloc(frames_cap, sizeof(*rframes));
	if (!frames || !rframes) {
		fprintf(stderr, "hostenv: out of memory (%zu frames)\n", frames_cap);
		abort();
	}
	/* gen 0 is never current, so calloc'ed slots are empty */
	for (i = 0; i < ocap; i++)
		if (old[i].gen == ogen)
			frame_put_raw(old[i].key, old[i].mem, &old[i].meta);
	free(old);
	free(rold);
}

static void *pool_get(void)
{
	if (pool_next == pool_len) {
		if (pool_len == pool_cap) {
			pool_cap = pool_cap ? pool_cap * 2 : 1024;
			pool = realloc(pool, pool_cap * sizeof(*pool));
			if (!pool)
				abort();
		}
		pool[pool_len] = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
		if (!pool[pool_len])
			abort();
		pool_len++;
	}
	return pool[pool_next++];
}

void *host_page(phys_addr_t pa, bool create)
{
	uint64_t pfn = pa >> PAGE_SHIFT;
	struct frame *f = frame_find(pfn);
	void *mem;

	if (f)
		return f->mem;
	if (!create)
		return NULL;
	if (!frames || (frames_used + 1) * 2 > frames_cap)
		frames_grow();
	mem = pool_get();
	memset(mem, HOST_POISON, PAGE_SIZE);
	frame_put_raw(pfn, mem, NULL);
	frames_used++;
	host.pages_touched++;
	return mem;
}

struct host_meta *host_meta(phys_addr_t pa)
{
	struct frame *f = frame_find(pa >> PAGE_SHIFT);

	return f ? &f->meta : NULL;
}

uint32_t host_epoch(void)
{
	return mem_gen;
}

uint32_t host_new_walk_epoch(void)
{
	return ++walk_epoch;
}

bool host_pa_of(const void *p, phys_addr_t *pa)
{
	uintptr_t hp = (uintptr_t)p >> PAGE_SHIFT;
	size_t m = frames_cap - 1, i;

	if (!rframes)
		return false;
	for (i = hash64(hp) & m; rframes[i].gen == mem_gen; i = (i + 1) & m)
		if (rframes[i].key == hp) {
			*pa = (rframes[i].pfn << PAGE_SHIFT) | ((uintptr_t)p & (PAGE_SIZE - 1));
			return true;
		}
	return false;
}

pte_t host_lookup(phys_addr_t root, uint64_t va, unsigned int *level)
{
	phys_addr_t t = root;
	unsigned int l;

	for (l = pt_levels; l >= 1; l--) {
		const pte_t *p = host_page(t, false);
		pte_t e;

		if (!p)
			return 0;
		e = p[pt_index(va, l)];
		if (!pte_present(e))
			return 0;
		if (pte_is_leaf(e, l)) {
			if (level)
				*level = l;
			return e;
		}
		t = pte_addr(e);
	}
	return 0;
}

/* -------------------------------------------------------------- image --- */

static void add_sec(struct mm_image *img, const char *name, enum image_kind kind,
		    uint64_t pa, uint64_t pa_end)
{
	struct image_section *s = &img->sec[img->nr_sec++];

	s->name = name;
	s->kind = kind;
	s->va = KERNEL_VMA + pa;
	s->va_end = KERNEL_VMA + pa_end;
}

/* The layout of the real image (build/topdown.sym), brk size aside. */
static void make_image(struct mm_image *img, unsigned long brk_pages)
{
	memset(img, 0, sizeof(*img));
	img->pa_start = KERNEL_LOAD_PA;
	add_sec(img, "text", IMG_TEXT, 0x101000, 0x109000);
	add_sec(img, "rodata", IMG_RODATA, 0x109000, 0x10c000);
	add_sec(img, "data", IMG_DATA, 0x10c000, 0x138000);
	add_sec(img, "guard", IMG_GUARD, 0x138000, 0x139000);
	add_sec(img, "stack", IMG_DATA, 0x139000, HOST_BRK_PA);
	add_sec(img, "brk", IMG_BRK, HOST_BRK_PA, HOST_BRK_PA + brk_pages * PAGE_SIZE);
	img->brk = brk_buf;
	img->brk_pa = HOST_BRK_PA;
	img->brk_pages = brk_pages;
	img->pa_end = HOST_BRK_PA + brk_pages * PAGE_SIZE;
}

/* --------------------------------------------------------- reset/panic --- */

static void reset(phys_addr_t brk_pa, unsigned long brk_pages)
{
	static int echo_env = -1;
	unsigned long i;
	bool echo = host.echo;
	char *out = host.out;
	size_t cap = host.out_cap;

	pt_levels = 4;                  /* a fresh machine; a case may ask for 5 */

	if (brk_pages > HOST_BRK_MAX_PAGES) {
		fprintf(stderr, "hostenv: brk of %lu pages > %d\n", brk_pages, HOST_BRK_MAX_PAGES);
		abort();
	}
	memset(&host, 0, sizeof(host));
	if (echo_env < 0)
		echo_env = getenv("HOSTENV_ECHO") != NULL;
	host.echo = echo || echo_env;
	host.out = out;
	host.out_cap = cap;
	if (host.out)
		host.out[0] = '\0';
	host.strict_window = true;

	mem_gen++;
	frames_used = 0;
	pool_next = 0;
	if (!frames)
		frames_grow();
	memset(brk_buf, HOST_POISON, brk_pages * PAGE_SIZE);
	for (i = 0; i < brk_pages; i++) {
		if ((frames_used + 1) * 2 > frames_cap)
			frames_grow();
		frame_put_raw((brk_pa >> PAGE_SHIFT) + i, brk_buf + i * PAGE_SIZE, NULL);
		frames_used++;
	}
}

void host_reset(unsigned long brk_pages)
{
	reset(HOST_BRK_PA, brk_pages);
	make_image(&host.image, brk_pages);
}

void host_reset_image(const struct mm_image *img)
{
	reset(img->brk_pa, img->brk_pages);
	host.image = *img;
	host.image.brk = brk_buf;
}

bool host_call(void (*fn)(void *), void *arg)
{
	if (setjmp(host.panic_jmp)) {
		host.panic_armed = false;
		return true;
	}
	host.panic_armed = true;
	fn(arg);
	host.panic_armed = false;
	return false;
}

/* The kernel's panic calls what was registered; the host's panic_at below
 * calls trace_flush itself, so a registration is only accepted. */
void panic_before_verdict(void (*fn)(void))
{
	(void)fn;
}

void panic_at(const char *func, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(host.panic_msg, sizeof(host.panic_msg), "%s: ", func);
	va_start(ap, fmt);
	vsnprintf(host.panic_msg + n, sizeof(host.panic_msg) - n, fmt, ap);
	va_end(ap);
	host.panics++;
	trace_flush();          /* like the kernel's panic: kept records first */
	if (host.echo)
		fprintf(stderr, "PANIC: %s\n", host.panic_msg);
	if (host.panic_armed)
		longjmp(host.panic_jmp, 1);
	fprintf(stderr, "hostenv: unexpected panic outside host_call: %s\n", host.panic_msg);
	abort();
}

void host_error(const char *fmt, ...)
{
	va_list ap;

	if (!host.errors) {
		va_start(ap, fmt);
		vsnprintf(host.first_error, sizeof(host.first_error), fmt, ap);
		va_end(ap);
	}
	if (host.echo) {
		va_start(ap, fmt);
		fprintf(stderr, "hostenv: error: ");
		vfprintf(stderr, fmt, ap);
		fprintf(stderr, "\n");
		va_end(ap);
	}
	host.errors++;
}

/* ------------------------------------------------------------- printk --- */

void host_out_append(const char *s, size_t n)
{
	if (host.out_len + n + 1 > host.out_cap) {
		size_t cap = host.out_cap ? host.out_cap : 65536;

		while (host.out_len + n + 1 > cap)
			cap *= 2;
		host.out = realloc(host.out, cap);
		if (!host.out)
			abort();
		host.out_cap = cap;
	}
	memcpy(host.out + host.out_len, s, n);
	host.out_len += n;
	host.out[host.out_len] = '\0';
	if (host.echo)
		fwrite(s, 1, n, stderr);
}

void vprintk(const char *fmt, va_list ap)
{
	char buf[PRINTK_MAX];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n < 0)
		return;
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	host_out_append(buf, (size_t)n);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

const char *host_output(void)
{
	return host.out ? host.out : "";
}

/* ------------------------------------------------------- phys_window --- */

void *phys_window(phys_addr_t pa)
{
	host.window_calls++;
	if (pa & (PAGE_SIZE - 1))
		host_error("phys_window(0x%lx): not page aligned", (unsigned long)pa);
	if (host.strict_window &&
	    !(pa >= host.image.brk_pa && pa < host.image.brk_pa + host.image.brk_pages * PAGE_SIZE)) {
		if (!host.root_loaded) {
			host_error("phys_window(0x%010lx) before the CR3 switch (steps 1-2 must use brk only)",
				   (unsigned long)pa);
		} else {
			unsigned int level = 0;
			pte_t e = host_lookup(host.root, DIRECT_MAP_BASE + pa, &level);

			if (!pte_present(e) ||
			    (pte_addr(e) & ~(level_size(level) - 1)) + (pa & (level_size(level) - 1)) != pa)
				host_error("phys_window(0x%010lx): not in the live direct map",
					   (unsigned long)pa);
		}
	}
	return host_page(pa, true);
}
