/*
 * include/kernel/plant.h — walk.plant=wx|lowtable (test only): a page-table
 * bug planted after the in-guest self-checks, for tests/walk/ to find.
 */
#ifndef KERNEL_PLANT_H
#define KERNEL_PLANT_H

/* Plant the named bug ("wx" or "lowtable", checked by cmdline_parse). */
void walk_plant(const char *what);

#endif /* KERNEL_PLANT_H */
