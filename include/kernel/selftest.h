/*
 * include/kernel/selftest.h — command-line selected self-tests.
 *
 * Each provokes one thing (mostly a fault) after setup; the run passes only
 * if the expected exception arrives with the expected diagnosis.  A test
 * whose trigger returns has failed: the protection it probes did not hold.
 */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

struct selftest {
	const char *name;
	int vector;                     /* expected exception */
	const char *diag;               /* expected diagnosis (DIAG_*) */
	void (*run)(void);
};

const struct selftest *selftest_find(const char *name);
const char *selftest_names(void);

/* Run the selected test (never returns if it is one). */
void selftest_run(const char *name);

/* Called by the fault path: is this the fault the running test expects? */
const struct selftest *selftest_expected(unsigned int vector, const char *diag);

#endif /* KERNEL_SELFTEST_H */
