/*
 * tests/unit/maps.h — the memory maps the builder is tested on (and the
 * builder fuzzer's seeds are made from).
 */
#ifndef TESTS_MAPS_H
#define TESTS_MAPS_H

#include <mm/memmap.h>

struct test_map {
	char name[48];
	struct memmap_entry e[MEMMAP_MAX];
	unsigned int nr;
	struct mem_range boot_data[4];
	unsigned int nr_boot_data;
};

#define TEST_MAPS_MAX 48

/* Fill out[] with the test maps; returns how many. */
unsigned int test_maps(struct test_map *out);

#endif /* TESTS_MAPS_H */
