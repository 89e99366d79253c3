/*
 * include/kernel/selftest.h — command-line selected self-tests.
 *
 * Each provokes one fault after setup; the run passes only if the trap path
 * (arch/x86_64/traps.c) sees the expected exception, with the expected
 * diagnosis, raised where the test says.  A test whose trigger returns has
 * failed: the protection it probes did not hold.
 */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

/* Where the faulting instruction must lie. */
enum selftest_where {
	AT_TEST_CODE,           /* in the triggers' text (.text.selftest) */
	AT_NX_PROBE,            /* the direct-map alias of the NX probe page */
	AT_ANYWHERE,            /* #DF: the SDM leaves the saved RIP undefined */
	AT_NONE,                /* no fault now: judges the user run (selftest=user-*) */
	AT_USER_PROBE,          /* the user probe page (SELFTEST_USER_PROBE_VA) */
	AT_PANIC,               /* no fault: the kernel must refuse with a PANIC */
};

struct selftest {
	const char *name;
	int vector;                     /* expected exception */
	const char *diag;               /* expected diagnosis (DIAG_*) */
	enum selftest_where where;
	void (*run)(void);
};

const struct selftest *selftest_find(const char *name);
const char *selftest_names(void);       /* "pin-write unmapped ...", for messages */

/* Run the named test (cmdline_parse checked the name); never returns. */
__attribute__((noreturn))
void selftest_run(const char *name);

/* selftest=smep|smap: who provides the one-page user address space (its VA
 * is SELFTEST_USER_PROBE_VA), registered by the user run. */
#define SELFTEST_USER_PROBE_VA  0x600000UL
void selftest_set_user_probe(uint64_t (*fn)(void));

#endif /* KERNEL_SELFTEST_H */
