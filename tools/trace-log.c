/*
 * trace-log.c — a console log as lines, whatever carried it.
 *
 * The log may come from anywhere the kernel's console goes: QEMU's serial
 * port, xenconsoled's guest log, Xen's own serial log.  Lines may carry a
 * prefix ("(d0) ", "(XEN) ", timestamps, "@|"), so every marker ("trace: ",
 * "boot: ", ...) is looked for anywhere in the line, where it starts a
 * word: "ftrace: " in a Linux dom0 log is not a trace record.
 *
 * Xen prints a guest's port-0xE9 output in pieces of at most 199
 * characters (its per-domain line buffer is 200 bytes), so a long record
 * arrives as several "(dN) " lines; such pieces are joined again here,
 * before anything else looks at them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lib/fnv.h>
#include "trace.h"

const char *fmt_mem(char *buf, size_t n, uint64_t lo, uint64_t end)
{
	snprintf(buf, n, "[mem 0x%010llx-0x%010llx]", (unsigned long long)lo,
		 (unsigned long long)(end - 1));
	return buf;
}

const char *fmt_size(char *buf, size_t n, uint64_t b)
{
	if (b >= (1ULL << 30) && !(b & ((1ULL << 30) - 1)))
		snprintf(buf, n, "%llu GiB", (unsigned long long)(b >> 30));
	else if (b >= (1ULL << 30))
		snprintf(buf, n, "%.2f GiB", (double)b / (1 << 30));
	else if (b >= (1ULL << 20))
		snprintf(buf, n, "%.1f MiB", (double)b / (1 << 20));
	else
		snprintf(buf, n, "%llu KiB", (unsigned long long)(b >> 10));
	return buf;
}

static void log_push(struct log *l, char *s, int no)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v) {
			perror("tracecmp");
			exit(2);
		}
	}
	l->v[l->n].s = s;
	l->v[l->n].no = no;
	l->n++;
}

void log_free(struct log *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i].s);
	free(l->v);
}

/* Where `marker` starts a word in s, or NULL. */
const char *find_marker(const char *s, const char *marker)
{
	size_t n = strlen(marker);
	const char *p = s;

	while ((p = strstr(p, marker))) {
		if (p == s || !(isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			return p;
		p += n;
	}
	return NULL;
}

/* Strip Xen's "(dN) " / "(XEN) " prefix and the timestamp after it.
 * *src: N for "(dN)", -2 for "(XEN)", -1 for none. */
static const char *strip_xen(const char *s, int *src)
{
	const char *p = s;

	*src = -1;
	if (!strncmp(p, "(XEN) ", 6)) {
		*src = -2;
		p += 6;
	} else if (p[0] == '(' && p[1] == 'd' && isdigit((unsigned char)p[2])) {
		char *e;
		long d = strtol(p + 2, &e, 10);

		if (e[0] != ')' || e[1] != ' ')
			return s;
		*src = (int)d;
		p = e + 2;
	} else {
		return s;
	}
	if (*p == '[') {                /* console_timestamps */
		const char *e = strchr(p, ']');

		if (e && e[1] == ' ')
			p = e + 2;
	}
	return p;
}

/* Does a piece look like the start of a console line ("word: ...")? */
static bool starts_line(const char *s)
{
	const char *p = s;

	if (!isalpha((unsigned char)*p))
		return *p == '(' || *p == '[' || *p == '\0';
	while (isalnum((unsigned char)*p) || *p == '_' || *p == '.' || *p == '-' || *p == ' ')
		p++;
	return p[0] == ':' && (p[1] == ' ' || p[1] == '\0');
}

/*
 * Split the file into logical lines.  A piece of exactly xen_split
 * characters (after the Xen prefix) is continued by the next piece of the
 * same source, unless that one starts a line of its own.
 */
static void split_lines(const char *buf, size_t len, int xen_split, struct log *out)
{
	struct {
		int src;
		char *acc;
		int no;
	} pend[8];
	int npend = 0, no = 0;
	size_t i = 0;

	out->joined = 0;
	while (i < len) {
		size_t j = i, plen;
		const char *pay;
		char *phys;
		int src, k;

		while (j < len && buf[j] != '\n')
			j++;
		plen = j - i;
		while (plen && (buf[i + plen - 1] == '\r'))
			plen--;
		phys = strndup(buf + i, plen);
		no++;
		i = j + 1;
		pay = strip_xen(phys, &src);
		for (k = 0; k < npend && pend[k].src != src; k++)
			;
		if (k < npend && src != -2) {
			if (starts_line(pay)) {
				log_push(out, pend[k].acc, pend[k].no);
				pend[k] = pend[--npend];
			} else {
				size_t a = strlen(pend[k].acc), b = strlen(pay);
				char *acc = realloc(pend[k].acc, a + b + 1);

				memcpy(acc + a, pay, b + 1);
				pend[k].acc = acc;
				out->joined++;
				if ((int)b != xen_split) {
					log_push(out, acc, pend[k].no);
					pend[k] = pend[--npend];
				}
				free(phys);
				continue;
			}
		}
		if (xen_split > 0 && src != -2 && (int)strlen(pay) == xen_split &&
		    npend < (int)(sizeof(pend) / sizeof(pend[0]))) {
			pend[npend].src = src;
			pend[npend].acc = strdup(pay);
			pend[npend].no = no;
			npend++;
			free(phys);
			continue;
		}
		if (src != -1) {
			char *p = strdup(pay);

			free(phys);
			phys = p;
		}
		log_push(out, phys, no);
	}
	for (int k = 0; k < npend; k++)
		log_push(out, pend[k].acc, pend[k].no);
}

static int read_file(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0;
	char *b;

	if (!f)
		return -1;
	b = malloc(cap);
	for (;;) {
		size_t got;

		if (n == cap) {
			cap *= 2;
			b = realloc(b, cap);
		}
		got = fread(b + n, 1, cap - n, f);
		n += got;
		if (!got)
			break;
	}
	if (ferror(f)) {
		fclose(f);
		free(b);
		return -1;
	}
	fclose(f);
	*buf = b;
	*len = n;
	return 0;
}

/* ------------------------------------------------------------ reseal */

/* Copy `in` to `out`, rewriting the end record of the (last) trace so that
 * it matches the records before it.  For hand-edited test fixtures only. */
int run_reseal(const char *in, const char *out)
{
	char *buf, *p;
	size_t len;
	FILE *f;
	uint32_t h = FNV1A32_INIT;
	unsigned long n = 0;
	bool in_trace = false;

	if (read_file(in, &buf, &len)) {
		fprintf(stderr, "tracecmp: cannot read %s: %s\n", in, strerror(errno));
		return 2;
	}
	f = fopen(out, "w");
	if (!f) {
		fprintf(stderr, "tracecmp: cannot write %s: %s\n", out, strerror(errno));
		free(buf);
		return 2;
	}
	for (p = buf; p < buf + len;) {
		char *nl = memchr(p, '\n', (size_t)(buf + len - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(buf + len - p);
		char *line = strndup(p, l);
		const char *t = find_marker(line, "trace: ");

		p += l + (nl ? 1 : 0);
		if (t && !strncmp(t + 7, "begin ", 6)) {
			in_trace = true;
			h = FNV1A32_INIT;
			n = 0;
		}
		if (t && in_trace && !strncmp(t + 7, "end ", 4)) {
			fprintf(f, "%.*strace: end records=%lu fnv1a=0x%08x\n", (int)(t - line), line,
				n, h);
			in_trace = false;
		} else {
			if (t && in_trace) {
				h = fnv1a32(h, t, strlen(t));
				h = fnv1a32(h, "\n", 1);
				n++;
			}
			fprintf(f, "%s%s", line, nl ? "\n" : "");
		}
		free(line);
	}
	free(buf);
	if (fclose(f)) {
		fprintf(stderr, "tracecmp: cannot write %s\n", out);
		return 2;
	}
	return 0;
}

void log_parse(struct log *lg, const char *buf, size_t len, int xen_split)
{
	memset(lg, 0, sizeof(*lg));
	split_lines(buf, len, xen_split, lg);
}

int log_read(struct log *lg, const char *path, int xen_split)
{
	char *buf;
	size_t len;

	memset(lg, 0, sizeof(*lg));
	if (read_file(path, &buf, &len))
		return -1;
	split_lines(buf, len, xen_split, lg);
	free(buf);
	return 0;
}
