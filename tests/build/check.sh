#!/bin/sh
# tests/build/check.sh BUILD RESULTS — the build's dependencies tell the truth.
#
# In a build tree of its own (BUILD/tests/build/tree) it builds the kernel,
# changes a build constant, and checks what make did from the ELF itself:
#   brk-pages-rebuild   `make BRK_PAGES=9` after a plain `make` gives an ELF
#                       whose brk chunk (__brk_end - __brk_start) is 9 pages,
#                       also when the first build spelled BUILD as an
#                       absolute path and the second as a relative one
#   brk-pages-back      `make` again returns it to the default 16 pages
#   no-spurious-rebuild a second `make BRK_PAGES=9` rebuilds nothing (the
#                       generated header is rewritten only when it changes)
#   bad-brk-pages       `make BRK_PAGES=x` fails with one clear error line
#   no-import-circles   no two files of different directories depend on each
#                       other, directly or around a circle (circles.py, from
#                       the objects' symbols)
#   design-refs         every "design §N" cited in the tree is a section
#                       "## N." of docs/design.md
#   panic-tags          every PANIC tag is the function that panics, every
#                       tag the tests expect or the docs quote exists
#                       (panic_tags.py)
#   panic-tags-planted  ... and the check fails on a planted wrong tag
#   doc-links           every relative link in the tree's Markdown files names
#                       a file that exists and a heading in it (links.py)
#   pv-contract         design §4's table names every member of struct
#                       paravirt_ops and no other; no pv_ops outside
#                       paravirt/ (pv_contract.py)
#   pv-contract-planted ... and the check fails on a table missing a row
# One line per test is appended to RESULTS/build.txt.
build=$1 results=$2
tree=$build/tests/build/tree
out=$results/build.txt
log=$build/tests/build/make.log
mkdir -p "$build/tests/build" "$results"
: > "$log"

pass() { echo "PASS build/$1${2:+ $2}" >> "$out"; }
fail() { echo "FAIL build/$1: $2" >> "$out"; }

B=$tree         # how mk spells BUILD
mk() {          # mk ARGS...: make in the test's tree, output to the log
	echo "+ make BUILD=$B $*" >> "$log"
	make --no-print-directory BUILD="$B" "$@" "$B/topdown.elf" >> "$log.one" 2>&1
	rc=$?
	cat "$log.one" >> "$log"
	return $rc
}

brk_pages() {   # the ELF's brk chunk in pages, from its symbols
	s=$(nm "$tree/topdown.elf" | awk '$3 == "__brk_start" { print $1 }')
	e=$(nm "$tree/topdown.elf" | awk '$3 == "__brk_end" { print $1 }')
	if [ -n "$s" ] && [ -n "$e" ]; then
		# the image lies in one 4 GiB window: the low 32 bits suffice
		echo $(( (0x${e#????????} - 0x${s#????????}) / 4096 ))
	else
		echo none
	fi
}

rm -rf "$tree"
: > "$log.one"
case $tree in /*) ;; *) B=$(pwd)/$tree ;; esac    # first build: absolute
if ! mk; then
	fail brk-pages-rebuild "the first build failed (see $log)"
	exit 1
fi
first=$(brk_pages)
B=$tree                                          # from here on: as given

: > "$log.one"
mk BRK_PAGES=9
got=$(brk_pages)
if [ "$first" = 16 ] && [ "$got" = 9 ]; then
	pass brk-pages-rebuild "16 -> 9 pages"
else
	fail brk-pages-rebuild "brk is $first pages after make, $got after make BRK_PAGES=9 (want 16, 9)"
fi

: > "$log.one"
mk BRK_PAGES=9
if grep -q '^  \(CC\|NASM\|LD\|GEN\) ' "$log.one"; then
	fail no-spurious-rebuild "an unchanged BRK_PAGES=9 rebuilt: $(grep '^  \(CC\|NASM\|LD\|GEN\) ' "$log.one" | tr '\n' ' ')"
else
	pass no-spurious-rebuild
fi

: > "$log.one"
mk
got=$(brk_pages)
if [ "$got" = 16 ]; then
	pass brk-pages-back "9 -> 16 pages"
else
	fail brk-pages-back "brk is $got pages after going back to the default (want 16)"
fi

: > "$log.one"
if mk BRK_PAGES=x; then
	fail bad-brk-pages "make BRK_PAGES=x succeeded"
elif grep -qx 'error: BRK_PAGES=x: want a whole number of pages >= 1' "$log.one"; then
	pass bad-brk-pages
else
	fail bad-brk-pages "no clear error line (see $log)"
fi
rm -f "$log.one"

if python3 tests/build/circles.py "$tree/k" > "$log.one" 2>&1; then
	pass no-import-circles "$(tail -1 "$log.one" | sed 's/^circles: //')"
else
	fail no-import-circles "$(grep -m1 -v '^circles: [0-9]' "$log.one")"
fi
cat "$log.one" >> "$log"
rm -f "$log.one"

refs=$(git ls-files -co --exclude-standard 2>/dev/null | grep -v '^docs/design\.md$' |
	xargs grep -oh 'design §[0-9][0-9]*' 2>/dev/null | sort -u | sed 's/design §//')
missing=""
for n in $refs; do
	grep -q "^## $n\. " docs/design.md || missing="$missing §$n"
done
if [ -z "$refs" ]; then
	fail design-refs "found no \"design §N\" reference at all (is this a git tree?)"
elif [ -n "$missing" ]; then
	fail design-refs "cited but not a section of docs/design.md:$missing"
else
	pass design-refs "$(echo $refs | wc -w) sections cited: $(echo $refs | tr '\n' ' ')"
fi
# Every PANIC tag names the function that panics (panic_tags.py); shown to
# fail on a planted wrong tag: a copy of paravirt/native.c whose native_stop
# panics as "native_halt".
if python3 tests/build/panic_tags.py > "$log.one" 2>&1; then
	pass panic-tags "$(tail -1 "$log.one" | sed 's/^panic_tags: //')"
else
	fail panic-tags "$(head -1 "$log.one")"
fi
cat "$log.one" >> "$log"
plant=$build/tests/build/planted
mkdir -p "$plant/paravirt"
sed 's/\toutb(DEBUG_EXIT_PORT, exit_value\[code\]);/\tif (code > STOP_PANIC)\n\t\tpanic_at("native_halt", "code %d", code);\n&/' \
	paravirt/native.c > "$plant/paravirt/native.c"
if ! grep -q 'panic_at("native_halt"' "$plant/paravirt/native.c"; then
	fail panic-tags-planted "could not plant the wrong tag (native_stop changed?)"
elif python3 tests/build/panic_tags.py include/kernel/panic.h "$plant/paravirt/native.c" > "$log.one" 2>&1; then
	fail panic-tags-planted "a panic_at(\"native_halt\") in native_stop() passed"
elif grep -q 'in native_stop()' "$log.one"; then
	pass panic-tags-planted "$(head -1 "$log.one" | sed 's/^.*: panic_at/panic_at/')"
else
	fail panic-tags-planted "unexpected report: $(head -1 "$log.one")"
fi
cat "$log.one" >> "$log"
rm -f "$log.one"

if python3 tests/build/links.py > "$log.one" 2>&1; then
	pass doc-links "$(tail -1 "$log.one" | sed 's/^links: //')"
else
	fail doc-links "$(grep -m1 -v '^links: [0-9]' "$log.one") ($(tail -1 "$log.one"))"
fi
cat "$log.one" >> "$log"
rm -f "$log.one"

# design §4's table names every member of struct paravirt_ops, and nothing
# outside paravirt/ uses pv_ops (pv_contract.py); shown to fail on a copy of
# design.md without the mmu.flush_tlb_user row.
if python3 tests/build/pv_contract.py > "$log.one" 2>&1; then
	pass pv-contract "$(tail -1 "$log.one" | sed 's/^pv_contract: //')"
else
	fail pv-contract "$(head -1 "$log.one")"
fi
cat "$log.one" >> "$log"
grep -v '^| `mmu.flush_tlb_user`' docs/design.md > "$plant/design.md"
if cmp -s docs/design.md "$plant/design.md"; then
	fail pv-contract-planted "could not drop the mmu.flush_tlb_user row (design §4 changed?)"
elif python3 tests/build/pv_contract.py include/paravirt/ops.h "$plant/design.md" > "$log.one" 2>&1; then
	fail pv-contract-planted "a table without mmu.flush_tlb_user passed"
elif grep -q 'member mmu.flush_tlb_user is not in' "$log.one"; then
	pass pv-contract-planted "$(head -1 "$log.one" | sed 's/^[^:]*: //')"
else
	fail pv-contract-planted "unexpected report: $(head -1 "$log.one")"
fi
cat "$log.one" >> "$log"
rm -f "$log.one"

! grep -q '^FAIL ' "$out"
