#!/bin/bash
# tests/unit/mutants.sh [RESULTS] — show that the unit tests can fail: build
# them against copies of mm/ (and its headers) with one deliberate bug each
# (a "mutant") and check that some test that passes on mm/ as it is fails
# every time.  Nothing in the tree is touched: each mutant is a sed script
# applied to a copy in a temporary directory.
#
#   tests/unit/mutants.sh                    (from the repository root)
#   make check-mutants                       the same, in make check (suite "mutants")
#   MUTANTS_ONLY='check-*' tests/unit/mutants.sh   a subset (shell patterns, comma separated)
#
# Per mutant one line: "killed by test_X (...)", "SURVIVED", or an error of
# the suite itself — a sed that no longer applies (the code moved: update the
# mutant) or a mutant that does not build (a broken mutant kills nothing).
# With RESULTS, one line per mutant is appended to it (PASS mutants/NAME,
# FAIL mutants/NAME: ...).  Last line: "mutants: N planted, N killed".
# Exits 1 unless every mutant was planted, built and killed.
#
# Speed: the sources are compiled once; a mutant holds and recompiles only the files it
# changes (or, for a header, the files that depend on it, from gcc -MM), links
# the test binaries it names, and runs them in that order, stopping at the
# first that fails; the cmocka binaries abort at their first failed assertion
# (CMOCKA_TEST_ABORT=1) when they pass in full on mm/ as it is.  MUTANTS_JOBS
# mutants run at once (default 2).
set -u
results=${1-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CC=${HOSTCC:-gcc}
CFLAGS="-std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter"
JOBS=${MUTANTS_JOBS:-2}
ONLY=${MUTANTS_ONLY-}

# name @ files @ sed script (applied to each file, must change each) @ test binaries, in order
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
precedence-reversed@mm/memmap.c@s/return rank(a) >= rank(b) ? a : b;/return rank(a) <= rank(b) ? a : b;/@memmap
usable-not-aligned@mm/memmap.c@s/uint64_t ae = end \& ~(PAGE_SIZE - 1);/uint64_t ae = end;/@memmap
no-merge@mm/memmap.c@s/if (last \&\& last->type == type \&\& last->start + last->size == start) {/if (0) {/@memmap
limit-off-by-one@mm/memmap.c@s/if (e->start + e->size > phys_limit)/if (e->start + e->size >= phys_limit)/@memmap
l5-root-as-l4@mm/pgtable.c@s/map_in(bd, root, root_live, pt_levels, va/map_in(bd, root, root_live, 4, va/@build
l5-va-bits-48@include/mm/pgtable.h@s/return PAGE_SHIFT + 9 \* pt_levels;/return PAGE_SHIFT + 9 * 4;/@build
l5-ap-shares-l4@mm/percpu.c@s/if (l == GD_LEVEL)/if (l >= GD_LEVEL)/@percpu
check-always-zero@mm/check.c@s/return r->violations;/return 0;/@selfcheck build
check-violation-not-counted@mm/check.c@s/vs->n++;/;/@selfcheck build
check-direct-pa@mm/check.c@s/if (pa != va - DIRECT_MAP_BASE)/if (0)/@selfcheck build
check-direct-nx@mm/check.c@/direct map va 0x%016lx is executable/s/violation(c,/if (0) violation(c,/@selfcheck build
check-direct-bytes@mm/check.c@s/if (r->direct_bytes != ram)/if (0)/@selfcheck build
check-not-ram@mm/check.c@s/if (!in_ram(pa, size, \&c->ram_idx))/if (0)/@selfcheck build
check-text-writable@mm/check.c@s/if (rw || nx)/if (nx)/@selfcheck build
check-rodata@mm/check.c@s/if (rw || (mm.cfg.nx \&\& !nx))/if (0)/@selfcheck build
check-data@mm/check.c@s/if (!rw || (mm.cfg.nx \&\& !nx))/if (0)/@selfcheck build
check-guard@mm/check.c@s/violation(c, "stack guard page va/if (0) violation(c, "stack guard page va/@selfcheck build
check-stray@mm/check.c@s/violation(c, "stray mapping va/if (0) violation(c, "stray mapping va/@selfcheck build
check-slot0@mm/check.c@s/if (pte_present(root\[0\]))/if (0)/@selfcheck build
check-table-reserved@mm/check.c@s/if (pa >= mm.reserved\[i\].start \&\& pa < mm.reserved\[i\].end)/if (0)/@selfcheck build
check-table-count@mm/check.c@s/if (r->tables != mm.tables)/if (0)/@selfcheck build
check-table-levels@mm/check.c@s/if (r->tables_at\[i\] != mm.tables_at\[i\])/if (0)/@selfcheck build
check-ro-skipped@mm/check.c@s/if (tables_ro) {/if (0) {/@selfcheck build
check-brk-overuse@mm/check.c@s/if (mm.brk_used > mm.image->brk_pages)/if (0)/@selfcheck build
percpu-check-kernel-half@mm/percpu.c@s/if (k != gi \&\& (own\[k\] ^ ref\[k\]) \& ~(PTE_A | PTE_D))/if (0)/@selfcheck percpu
percpu-check-ad-counted@mm/percpu.c@s/(own\[k\] ^ ref\[k\]) \& ~(PTE_A | PTE_D))/(own[k] ^ ref[k]))/@selfcheck percpu
percpu-check-slot0@mm/percpu.c@s/if (pte_present(top\[USER_SLOT\]))/if (0)/@selfcheck percpu
percpu-check-user-half@mm/percpu.c@/(user half) is populated/s/bad(/if (0) bad(/@selfcheck percpu
percpu-check-shared-globaldata@mm/percpu.c@s/bad(\&c, "cpus %u and %u share/if (0) bad(\&c, "cpus %u and %u share/@selfcheck percpu
percpu-check-globaldata-page@mm/percpu.c@s/if (!pte_present(e) || level != 1 || pte_phys(e) != t\[i\]->globaldata)/if (!pte_present(e) || level != 1)/@selfcheck percpu
percpu-check-globaldata-rights@mm/percpu.c@s/else if (!(e \& PTE_RW) || (mm.cfg.nx \&\& !(e \& PTE_NX)))/else if (0)/@selfcheck percpu
percpu-check-ro@mm/percpu.c@/^unsigned long percpu_check/,/^}/s/if (ro) {/if (0) {/@selfcheck percpu
percpu-kernel-half-not-copied@mm/percpu.c@s/\t\t\tif (i != gi)$/\t\t\tif (i == first)/@percpu selfcheck
percpu-root-above-4g@mm/percpu.c@s/t->root = batch_take_page_below(\&b, pt_levels, root_limit);/t->root = batch_take_page_below(\&b, pt_levels, ~0ULL);/@percpu
percpu-shared-globaldata@mm/percpu.c@/^void percpu_build_root/,/^}/s/t->globaldata = percpu_data_page();/t->globaldata = mm.root;/@percpu selfcheck
percpu-no-hook@mm/percpu.c@/^static void hook_and_link/,/^}/s/batch_built(b);/;/@percpu selfcheck
uspace-check-wx@mm/uspace.c@s/if (mm.cfg.nx \&\& (e \& PTE_RW) \&\& !(e \& PTE_NX))/if (0)/@selfcheck build
uspace-check-user-bit@mm/uspace.c@s/if (level != 1 || !(e \& PTE_US) || !user_va(va))/if (level != 1 || !user_va(va))/@selfcheck build
uspace-check-large-leaf@mm/uspace.c@s/if (level != 1 || !(e \& PTE_US) || !user_va(va))/if (!(e \& PTE_US) || !user_va(va))/@selfcheck build
uspace-check-tables@mm/uspace.c@s/if (c.tables_at\[l\] != as->tables_at\[l\])/if (0)/@selfcheck build
uspace-check-pages@mm/uspace.c@s/if (c.leaves != as->pages)/if (0)/@selfcheck build
uspace-check-ro@mm/uspace.c@/^static void chk_table/,/^}/s/if (c->ro) {/if (0) {/@selfcheck build
uspace-no-user-bit@mm/uspace.c@s/pte_t flags = PTE_P | PTE_US | /pte_t flags = PTE_P | /@build selfcheck
uspace-wx-allowed@mm/uspace.c@s/if (p->write \&\& p->exec)/if (0)/@build selfcheck
uspace-data-executable@mm/uspace.c@s/(!p->exec \&\& mm.cfg.nx ? PTE_NX : 0)/0/@build selfcheck
uspace-no-hook@mm/uspace.c@s/batch_built(\&b);                 \/\* before anything/(void)b; \/\* before anything/@build selfcheck
uspace-free-keeps-tables@mm/uspace.c@/^void uspace_free/,/^}/s/for (i = 0; i < f.nr_tables; i++) {/for (i = f.nr_tables; i < f.nr_tables; i++) {/@build
uspace-unmap-miscounts@mm/uspace.c@s/as->pages--;/as->pages += 0;/@build
pvh-tables-stay-writable@paravirt/xen/protect_pvh.c@s/write_pte(slot, e \& ~PTE_RW);/write_pte(slot, e);/@pvhcheck build percpu
pvh-brk-alias-writable@paravirt/xen/protect_pvh.c@s/protect(p, KERNEL_VMA + pa);/(void)brk_hi;/@pvhcheck build
pvh-one-pass@paravirt/xen/protect_pvh.c@s/} while (p.changed);/} while (0);/@pvhcheck build
pvh-split-loses-nx@paravirt/xen/protect_pvh.c@s/flags \&= ~PTE_PS;/flags \&= ~(PTE_PS | PTE_NX);/@pvhcheck build
pvh-split-shifted@paravirt/xen/protect_pvh.c@s/nt\[i\] = (base + i \* size) | flags;/nt[i] = (base + (i ^ 1) * size) | flags;/@pvhcheck build
pvh-split-uncounted@paravirt/xen/protect_pvh.c@s/p->b->hook_splits++;/p->changed = true;/@pvhcheck build
pvh-ro-uncounted@paravirt/xen/protect_pvh.c@s/p->b->hook_ro_entries++;/p->changed = true;/@pvhcheck build
pvh-release-stays-readonly@paravirt/xen/protect_pvh.c@s/write_pte(slot, e | PTE_RW);/write_pte(slot, e);/@pvhcheck build
'

# ---- compile once: every source of the unit tests, objects by path
# paravirt code the host environment runs (the PVH protection, hostpv.c's pinning hook)
PARAVIRT="paravirt/xen/protect_pvh.c"
SUPPORT="tests/unit/hostenv.c tests/unit/hostpv.c tests/unit/model.c tests/unit/checker.c tests/unit/build.c tests/unit/maps.c"
SOURCES="$(ls mm/*.c) kernel/fnv.c $PARAVIRT $SUPPORT $(ls tests/unit/test_*.c)"

obj() { echo "$1" | sed 's|/|__|g; s|\.c$|.o|'; }

# compile SRCDIR FILE OUTDIR: FILE as the tree at SRCDIR has it (a mutant's
# directory holds only the files it changes, and mm/'s private headers;
# the rest, headers included, comes from the real tree)
compile() {
	src=$2
	[ "$1" != . ] && [ -f "$1/$2" ] && src=$1/$2
	$CC -I "$1/include" -I include -I tests/unit $CFLAGS -c "$src" -o "$3/$(obj "$2")"
}

# link OBJDIR BIN OUT: test_BIN from the objects in OBJDIR, else the base ones
link() {
	objs=""
	for f in $(ls mm/*.c) kernel/fnv.c $PARAVIRT $SUPPORT tests/unit/test_$2.c; do
		o=$1/$(obj "$f")
		[ -f "$o" ] || o=$tmp/base/$(obj "$f")
		objs="$objs $o"
	done
	$CC $objs -lcmocka -o "$3"
}

mkdir -p "$tmp/base"
for f in $SOURCES; do
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do sleep 0.1; done
	( compile . "$f" "$tmp/base" 2> "$tmp/base/$(obj "$f").log" || echo "$f" >> "$tmp/base-broken" ) &
	# which headers each source depends on (for the header mutants)
	$CC -I include -I tests/unit -MM "$f" | tr -d '\\\n' | tr ' ' '\n' | grep '^include/' |
		sed "s|^|$f |" >> "$tmp/deps"
done
wait
if [ -f "$tmp/base-broken" ]; then
	echo "mutants: $(cat "$tmp/base-broken" | tr '\n' ' ')does not build as it is:"
	cat "$tmp"/base/*.log
	exit 1
fi

# run BIN EXE LOG ABORT: 0 if every test passed
run() {
	if [ "$4" = yes ]; then       # "[ RUN      ] name" before each test
		( CMOCKA_TEST_ABORT=1 timeout 300 "$2" ) > "$3" 2>&1
	else
		CMOCKA_MESSAGE_OUTPUT=TAP timeout 300 "$2" > "$3" 2>&1
	fi
}

# The baseline: every binary passes on mm/ as it is (then a failure is the
# mutant's), or the tests that already fail are the baseline.
bins=$(echo "$mutants" | cut -d@ -f4 | tr ' ' '\n' | sort -u | grep .)
for bin in $bins; do
	link "$tmp/base" "$bin" "$tmp/base/test_$bin" || { echo "mutants: test_$bin does not link"; exit 1; }
	if run "$bin" "$tmp/base/test_$bin" "$tmp/base-$bin.log" no; then
		echo yes > "$tmp/abort-$bin"
		: > "$tmp/basefail-$bin"
	else
		echo no > "$tmp/abort-$bin"
		sed -n 's/^not ok [0-9]* - //p' "$tmp/base-$bin.log" | sort > "$tmp/basefail-$bin"
		echo "baseline: test_$bin: $(wc -l < "$tmp/basefail-$bin") tests fail on mm/ as it is"
	fi
done

selected() {
	[ -z "$ONLY" ] && return 0
	for p in $(echo "$ONLY" | tr ',' ' '); do
		case $1 in $p|$p*) return 0 ;; esac     # a pattern, or a prefix (l5-)
	done
	return 1
}

# one NAME FILES EXPR BINS: plant, build, run; writes $tmp/res/NAME
one() {
	name=$1 files=$2 expr=$3 mbins=$4
	d=$tmp/m/$name
	res=$tmp/res/$name
	mkdir -p "$d/obj" "$d/mm" && cp mm/*.h "$d/mm/"
	for f in $files; do
		mkdir -p "$d/$(dirname "$f")" && cp "$f" "$d/$f"
	done
	for f in $files; do
		sed -i "$expr" "$d/$f"
		if cmp -s "$f" "$d/$f"; then
			echo "ERROR the sed no longer applies to $f (the code moved: update this mutant)" > "$res"
			return
		fi
	done
	# what to recompile: the changed sources, and every source that
	# depends on a changed header
	redo=""
	for f in $files; do
		case $f in
		include/*) redo="$redo $(awk -v h="$f" '$2 == h { print $1 }' "$tmp/deps")" ;;
		*) redo="$redo $f" ;;
		esac
	done
	for f in $(echo $redo | tr ' ' '\n' | sort -u); do
		if ! compile "$d" "$f" "$d/obj" 2> "$d/cc.log"; then
			echo "ERROR does not build: $(grep -m1 'error' "$d/cc.log")" > "$res"
			return
		fi
	done
	for bin in $mbins; do
		if ! link "$d/obj" "$bin" "$d/test_$bin" 2> "$d/cc.log"; then
			echo "ERROR test_$bin does not link: $(grep -m1 'error\|undefined' "$d/cc.log")" > "$res"
			return
		fi
		run "$bin" "$d/test_$bin" "$d/$bin.log" "$(cat "$tmp/abort-$bin")"
		rc=$?
		new=$(sed -n 's/^not ok [0-9]* - //p' "$d/$bin.log" | sort | comm -13 "$tmp/basefail-$bin" -)
		if [ -n "$new" ]; then
			echo "KILLED by test_$bin: $(echo "$new" | head -1)$( [ "$(echo "$new" | wc -l)" -gt 1 ] && echo " and $(($(echo "$new" | wc -l) - 1)) more")" > "$res"
			return
		elif [ $rc -ne 0 ] && [ "$(cat "$tmp/abort-$bin")" = yes ]; then
			test=$(sed -n 's/^\[ RUN      \] //p' "$d/$bin.log" | tail -1)
			where=$(grep -m1 -o '[a-z_/]*\.c:[0-9]*: error' "$d/$bin.log")
			echo "KILLED by test_$bin: ${test:-before any test} (${where:+$where, }exit $rc)" > "$res"
			return
		fi
	done
	echo "SURVIVED $mbins" > "$res"
}

mkdir -p "$tmp/res" "$tmp/m"
echo "$mutants" > "$tmp/list"
while IFS='@' read -r name files expr mbins; do
	[ -n "$name" ] || continue
	if ! selected "$name"; then
		[ -n "$results" ] && echo "SKIP mutants/$name: left out by MUTANTS_ONLY='$ONLY'" >> "$results"
		continue
	fi
	echo "$name" >> "$tmp/planted"
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do sleep 0.2; done
	# (the shell's "Aborted" notes for the binaries stopped at their first failure go to a file)
	( one "$name" "$files" "$expr" "$mbins"; rm -rf "$tmp/m/$name" ) 2>> "$tmp/noise" &
done < "$tmp/list"
wait
[ -f "$tmp/planted" ] || { echo "mutants: none selected (MUTANTS_ONLY='$ONLY')"; exit 1; }

planted=0 killed=0
for name in $(cat "$tmp/planted"); do
	planted=$((planted + 1))
	r=$(cat "$tmp/res/$name" 2>/dev/null || echo "ERROR no result (the run died)")
	case $r in
	KILLED*) killed=$((killed + 1))
		printf 'mutant %-32s killed %s\n' "$name" "${r#KILLED }"
		[ -n "$results" ] && echo "PASS mutants/$name killed ${r#KILLED }" >> "$results" ;;
	SURVIVED*) printf 'mutant %-32s SURVIVED (ran %s)\n' "$name" "${r#SURVIVED }"
		[ -n "$results" ] && echo "FAIL mutants/$name: survived: no test of ${r#SURVIVED } failed" >> "$results" ;;
	*) printf 'mutant %-32s ERROR %s\n' "$name" "${r#ERROR }"
		[ -n "$results" ] && echo "FAIL mutants/$name: error in the suite: ${r#ERROR }" >> "$results" ;;
	esac
done
echo "mutants: $planted planted, $killed killed"
[ "$planted" -eq "$killed" ]
