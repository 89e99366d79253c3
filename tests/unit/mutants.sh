#!/bin/sh
# tests/unit/mutants.sh — show that the unit tests can fail: build them
# against copies of mm/ (and its headers) with one deliberate bug each (a "mutant") and check
# that some test fails every time.  Nothing in mm/ is touched: each mutant
# is a sed expression applied to a copy in a temporary directory.
#
#   tests/unit/mutants.sh            (from the repository root; ~3 min)
#   MUTANTS_ONLY=l5- tests/unit/mutants.sh   (only the mutants whose name starts so)
#
# Prints "killed" or "SURVIVED" per mutant; exits 1 if any survived.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CC=${HOSTCC:-gcc}
CFLAGS="-std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter -I include -I tests/unit"
survived=0

# name @ files @ sed script (applied to each file, must change each) @ test binary
mutants='
wx-text-writable@mm/init.c@s/\[IMG_TEXT\] = PTE_P,/[IMG_TEXT] = PTE_P | PTE_RW,/@build
rodata-executable@mm/init.c@s/\[IMG_RODATA\] = PTE_P | PTE_NX,/[IMG_RODATA] = PTE_P,/@build
direct-map-executable@mm/init.c@s/const pte_t flags = PTE_P | PTE_RW | (mm.cfg.nx ? PTE_NX : 0);/const pte_t flags = PTE_P | PTE_RW;/@build
direct-map-off-by-a-page@mm/init.c@s/pt_map(bd, root, live, DIRECT_MAP_BASE + lo, hi - lo, lo,/pt_map(bd, root, live, DIRECT_MAP_BASE + lo + PAGE_SIZE, hi - lo, lo,/@build
tables-from-unmapped-ram@mm/alloc.c mm/init.c@s/if (top - PAGE_SIZE < mm.mapped_lo)/if (0)/; s/budget = free_pages_between(mm.mapped_lo, ram_cursor);/budget = free_pages_between(0, ram_cursor);/@build
link-before-hook@mm/init.c@/batch_built(b);  *\/\* step 6/d; s/batch_link(b);  *\/\* \.\.\. then link \*\//batch_link(b); batch_built(b);/@build
cr3-before-hook@mm/init.c@/batch_built(&batch);  *\/\* 3: hook/d; s/mm.root_loaded = true;/mm.root_loaded = true; batch_built(\&batch);/@build
brk-page-not-zeroed@mm/brk.c@s/memset(brk.va + brk.used \* PAGE_SIZE, 0, PAGE_SIZE);/;/@build
ram-page-not-zeroed@mm/alloc.c@s/memset(pt_virt(ram_cursor), 0, PAGE_SIZE);/(void)pt_virt(ram_cursor);/@build
small-chunks-not-minimal@mm/init.c@s/return mm.cfg.max_level == 1 ? 2 : 3;/return 2;/@build
no-batch-growth@include/mm/policy.h@s/#define BATCH_GROWTH_SHIFT  4/#define BATCH_GROWTH_SHIFT  0/@build
guard-page-mapped@mm/init.c@s/if (s->kind == IMG_GUARD)/if (0)/@build
brk-not-readonly@mm/init.c@s/pt_map(bd, root, live, DIRECT_MAP_BASE + a, b - a, a, 1, flags \& ~PTE_RW);/pt_map(bd, root, live, DIRECT_MAP_BASE + a, b - a, a, 1, flags);/@build
no-hook-reserve@mm/init.c@s/budget = budget > mm.cfg.hook_reserve_pages ? budget - mm.cfg.hook_reserve_pages : 0;/;/@build
start-at-ram-top@mm/init.c@s/mm.start = start_point();/mm.start = start_point() ? mm.ram_top : 0;/@build
start-counts-small-ranges@include/mm/policy.h@s/#define START_MIN_FREE      (2ULL << 20)/#define START_MIN_FREE      (1ULL << 12)/@build
start-not-rounded@mm/init.c@s/t = (free_ram\[i\].end + align - 1) \& ~(align - 1);/t = free_ram[i].end + (align - align);/@build
start-not-capped@mm/init.c@s/return t < mm.ram_top ? t : mm.ram_top;/return t;/@build
cursor-at-ram-top@mm/init.c@s/ram_cursor = mm.start;/ram_cursor = mm.ram_top;/@build
above-first@mm/init.c@s/bool above = !next_chunk(mm.mapped_lo, 0, \&lo, \&unused);/bool above = mm.above_lo > mm.start;/@build
free-run-past-target@mm/init.c@s/limit = (target - ram + csize - 1) \/ csize;/limit = k;/@build
free-run-crosses-parent@mm/init.c@s/if (low < (lo \& ~(pspan - 1)))/if (0)/@build
whole-count-misses-parents@mm/pgtable.c@s/return l - level + own; /return own; /@build
trace-checksum-short@mm/trace.c@s/trace_sum = fnv1a32(trace_sum, line, (size_t)n);/trace_sum = fnv1a32(trace_sum, line, (size_t)n - 1);/@build
l5-root-as-l4@mm/pgtable.c@s/map_in(bd, root, root_live, pt_levels, va/map_in(bd, root, root_live, 4, va/@build
l5-va-bits-48@include/mm/pgtable.h@s/return PAGE_SHIFT + 9 \* pt_levels;/return PAGE_SHIFT + 9 * 4;/@build
l5-ap-shares-l4@mm/percpu.c@s/if (l == GD_LEVEL)/if (l >= GD_LEVEL)/@percpu
precedence-reversed@mm/memmap.c@s/return rank(a) >= rank(b) ? a : b;/return rank(a) <= rank(b) ? a : b;/@memmap
usable-not-aligned@mm/memmap.c@s/uint64_t ae = end \& ~(PAGE_SIZE - 1);/uint64_t ae = end;/@memmap
no-merge@mm/memmap.c@s/if (last \&\& last->type == type \&\& last->start + last->size == start) {/if (0) {/@memmap
limit-off-by-one@mm/memmap.c@s/if (e->start + e->size > phys_limit)/if (e->start + e->size >= phys_limit)/@memmap
'

# build SRC BIN OUT: the tests of BIN against the mm/ in SRC
build() {
	extra=""
	[ "$2" != memmap ] && extra="tests/unit/build.c tests/unit/maps.c"
	$CC -I "$1/include" $CFLAGS "$1"/mm/*.c "$1/kernel/fnv.c" paravirt/xen/protect_pvh.c tests/unit/hostenv.c tests/unit/hostpv.c \
	    tests/unit/model.c tests/unit/checker.c \
	    $extra "tests/unit/test_$2.c" -lcmocka -o "$3" 2> "$tmp/cc.log"
}

# failing SRC BIN: names of the failing tests, sorted
failing() {
	build "$1" "$2" "$tmp/test" || { echo "does-not-compile"; return; }
	CMOCKA_MESSAGE_OUTPUT=TAP timeout 300 "$tmp/test" > "$tmp/out" 2>&1
	rc=$?
	{ sed -n 's/^not ok [0-9]* - //p' "$tmp/out"; [ $rc -lt 128 ] || echo "binary-crashed"; } | sort
}

# Known failures of the real mm/ (the bugs the tests show) are the baseline:
# a mutant is killed when a test that passes on mm/ fails on it.
for bin in build memmap percpu; do
	failing . $bin > "$tmp/base-$bin"
	echo "baseline $bin: $(wc -l < "$tmp/base-$bin") tests fail on mm/ as it is"
done

echo "$mutants" | while IFS='@' read -r name file expr bin; do
	[ -n "$name" ] || continue
	case $name in "${MUTANTS_ONLY:-}"*) ;; *) continue ;; esac
	rm -rf "$tmp/src" && mkdir -p "$tmp/src" && cp -r mm kernel include "$tmp/src/"
	applied=yes
	for f in $file; do
		sed -i "$expr" "$tmp/src/$f"
		cmp -s "$f" "$tmp/src/$f" && applied=no
	done
	if [ $applied = no ]; then
		echo "mutant $name: sed did not apply to each of $file (mm/ changed?)"
		echo 1 > "$tmp/survived"
		continue
	fi
	failing "$tmp/src" "$bin" > "$tmp/mut"
	new=$(comm -13 "$tmp/base-$bin" "$tmp/mut")
	if [ -n "$new" ]; then
		printf 'mutant %-26s killed (%s new failures, first %s)\n' "$name" \
		       "$(echo "$new" | wc -l)" "$(echo "$new" | head -1)"
	else
		printf 'mutant %-26s SURVIVED\n' "$name"
		echo 1 > "$tmp/survived"
	fi
done
[ ! -f "$tmp/survived" ]
