/*
 * pong.c — user program 2: the same VAs as ping, different contents.  Its
 * signature page holds "pong-sig" and a text that names the round; its
 * stack holds a second copy.  After each yield both must be unchanged.
 */
#include "ulib.h"

#define TAG 0x6769732d676e6f70UL            /* "pong-sig" */

static volatile unsigned long sig[512] __attribute__((aligned(4096)));

static void fill(volatile char *p, unsigned long round)
{
	static const char text[] = "pong was here, round ";
	unsigned int i;

	for (i = 0; i < sizeof(text) - 1; i++)
		p[i] = text[i];
	p[i++] = (char)('0' + round % 10);
	p[i] = '\0';
}

static int same(const volatile char *a, const volatile char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

void umain(unsigned long mode)
{
	struct uline l = { .n = 0 };
	volatile char stack_copy[64];
	unsigned long round, cpu;

	for (round = 0; round < UROUNDS; round++) {
		sig[0] = TAG;
		fill((volatile char *)&sig[1], round);
		fill(stack_copy, round);
		cpu = (unsigned long)u_yield();
		if (sig[0] != TAG || !same((volatile char *)&sig[1], stack_copy)) {
			ul_round(&l, "pong", round, " on", cpu);
			ul_s(&l, "its page at ");
			ul_u(&l, (uintptr_t)sig, 16);
			ul_s(&l, " holds ");
			ul_u(&l, sig[0], 16);
			ul_s(&l, ", not its own");
			ul_put(&l);
			u_exit(1, (const void *)sig);
		}
		ul_round(&l, "pong", round, " back on", cpu);
		ul_s(&l, "\"");
		ul_s(&l, (const char *)&sig[1]);
		ul_s(&l, "\" at ");
		ul_u(&l, (uintptr_t)sig, 16);
		ul_s(&l, " is its own");
		ul_put(&l);
	}
	u_exit(0, (const void *)sig);
}
