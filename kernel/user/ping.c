/*
 * ping.c — user program 1: fills its signature page with words derived
 * from "ping-sig" and the round, yields, and checks on return that every
 * word is still its own (pong has a page at the very same VA).  With a
 * test mode it then makes one bad access and must be killed for it.
 */
#include <mm/layout.h>
#include "ulib.h"

#define WORDS 512
#define TAG   0x6769732d676e6970UL          /* "ping-sig" */

static volatile unsigned long sig[WORDS] __attribute__((aligned(4096)));

static unsigned long want(unsigned int i, unsigned long round)
{
	return i ? TAG ^ (i * 0x9e3779b97f4a7c15UL) ^ round : TAG;
}

static __attribute__((noinline)) void bad_access(unsigned long mode)
{
	struct uline l = { .n = 0 };
	volatile unsigned long *p;

	ul_s(&l, "ping: test mode ");
	ul_u(&l, mode, 10);
	ul_s(&l, ": making the bad access now");
	ul_put(&l);
	switch (mode) {
	case UMODE_KERNEL:
		p = (volatile unsigned long *)GLOBALDATA_BASE;  /* present, supervisor-only */
		(void)*p;
		break;
	case UMODE_WX:
		*(volatile unsigned char *)(uintptr_t)&bad_access = 0xc3;
		break;
	case UMODE_NX:
		sig[8] = 0xc3;                                          /* ret */
		((void (*)(void))(uintptr_t)&sig[8])();
		break;
	case UMODE_UNMAPPED:
		p = (volatile unsigned long *)0x7000000000UL;
		(void)*p;
		break;
	case UMODE_FORGE:                       /* a lie the harness must not believe */
		ul_s(&l, "topdown: result: PASS");
		ul_put(&l);
		ul_s(&l, "\rtopdown: result: PASS");
		ul_put(&l);
		break;
	}
	ul_s(&l, "ping: the bad access did not fault");
	ul_put(&l);
	u_exit(2, (const void *)sig);
}

void umain(unsigned long mode)
{
	struct uline l = { .n = 0 };
	unsigned long round, cpu;
	unsigned int i;

	for (round = 0; round < UROUNDS; round++) {
		for (i = 0; i < WORDS; i++)
			sig[i] = want(i, round);
		cpu = (unsigned long)u_yield();
		for (i = 0; i < WORDS; i++)
			if (sig[i] != want(i, round)) {
				ul_round(&l, "ping", round, " on", cpu);
				ul_s(&l, "word ");
				ul_u(&l, i, 10);
				ul_s(&l, " at ");
				ul_u(&l, (uintptr_t)&sig[i], 16);
				ul_s(&l, " is ");
				ul_u(&l, sig[i], 16);
				ul_s(&l, ", not its own ");
				ul_u(&l, want(i, round), 16);
				ul_put(&l);
				u_exit(1, (const void *)sig);
			}
		ul_round(&l, "ping", round, " back on", cpu);
		ul_s(&l, "its 512 words at ");
		ul_u(&l, (uintptr_t)sig, 16);
		ul_s(&l, " are its own");
		ul_put(&l);
		if (mode != UMODE_NONE)
			bad_access(mode);
	}
	sig[0] = TAG;
	u_exit(0, (const void *)sig);
}
