; badboot.asm — a tiny PVH "loader" for the negative boot tests.
;
; QEMU boots this file with -kernel (PVH: 32-bit protected mode, paging
; off, ebx = struct hvm_start_info built by QEMU's pvh.bin), while
; `-device loader,file=build/topdown.elf` has placed topdown's PT_LOAD
; segments at their physical addresses.  badboot then enters one of
; topdown's 32-bit stubs with the registers and boot information chosen by
; CASE, a build-time define (nasm -DCASE=name):
;
;   pvh_pass        pvh_entry32, ebx untouched (control: the loader path works)
;   pvh_copy        pvh_entry32, ebx = an unmodified copy of start_info (control)
;   pvh_magic       copy with a bad magic
;   pvh_ebx0        ebx = 0
;   pvh_v2          copy with version 2
;   pvh_v0          copy with version 0 (no memory map: natively a panic)
;   pvh_nomap       copy with memmap_entries 0
;   mb2_synth       mb2_entry32, eax = multiboot2 magic, ebx = a multiboot2
;                   information built from start_info (control)
;   mb2_magic       same information, eax = the multiboot1 magic
;   mb2_unaligned   ebx = the information + 4
;   mb2_nommap      information without a memory-map tag
;   mb2_badtag      information whose first tag has size 4
;   mb2_total       information whose total_size is 8
;
; Every case first prints the start_info module list (QEMU -initrd) on COM1,
; "badboot: module 0x0 paddr=0x... size=0x...", so that the tests can check
; the kernel kept its page tables off the modules; mb2_synth passes module 0
; on as a multiboot2 module tag.
;
; Built by tests/boot/boot.mk (one ELF per CASE, linked at 16 MiB by
; badboot.lds, far from topdown at 1 MiB).  topdown's entry points come from
; its ELF (ld --just-symbols), every boot-protocol number and hvm_start_info
; offset from build/gen/asm-offsets.inc (Xen's and our C headers).

%include "asm-offsets.inc"

%ifndef CASE
%error "define CASE"
%endif
extern pvh_entry32, mb2_entry32

%define MB1_MAGIC       0x2badb002      ; multiboot1's magic: the wrong one here
%define COM1            0x3f8
%define MB2_TAG_HDR     8               ; multiboot2 tag: u32 type, u32 size
%define MB2_MMAP_HDR    16              ; + u32 entry_size, u32 entry_version
%define MB2_MOD_HDR     16              ; + u32 mod_start, u32 mod_end

; The descriptor is 8 bytes: QEMU reads it as 64 bits from an ELF64 file.
section .note.Xen note alloc noexec nowrite align=4
	dd 4, 8, XEN_ELFNOTE_PHYS32_ENTRY
	db "Xen", 0
	dq start

section .text progbits alloc exec write align=16
bits 32

global start
start:
	cli
	cld
	mov esp, stack_top
	mov ebp, ebx                    ; start_info from pvh.bin
	call print_modules
	mov ebx, ebp

%ifidn CASE, pvh_pass                   ; pvh_*: pvh_entry32, ebx = start_info
%elifidn CASE, pvh_copy
	call copy_si
%elifidn CASE, pvh_magic
	call copy_si
	mov dword [ebx + HVM_SI_MAGIC], 0xdeadbeef
%elifidn CASE, pvh_ebx0
	xor ebx, ebx
%elifidn CASE, pvh_v2
	call copy_si
	mov dword [ebx + HVM_SI_VERSION], 2
%elifidn CASE, pvh_v0
	call copy_si
	mov dword [ebx + HVM_SI_VERSION], 0
%elifidn CASE, pvh_nomap
	call copy_si
	mov dword [ebx + HVM_SI_MEMMAP_ENTRIES], 0
%else                                   ; mb2_*: mb2_entry32, eax = magic, ebx = information
	mov ecx, 1                      ; with a memory map
	xor edx, edx                    ; no bad tag
 %ifidn CASE, mb2_nommap
	xor ecx, ecx
 %elifidn CASE, mb2_badtag
	mov edx, 1
 %endif
	call build_mbi
	mov eax, MB2_BOOTLOADER_MAGIC
 %ifidn CASE, mb2_magic
	mov eax, MB1_MAGIC
 %elifidn CASE, mb2_unaligned
	add ebx, 4
 %elifidn CASE, mb2_total
	mov dword [ebx], 8
 %elifnidn CASE, mb2_synth
  %ifnidn CASE, mb2_nommap
   %ifnidn CASE, mb2_badtag
    %error "unknown CASE"
   %endif
  %endif
 %endif
	mov ecx, mb2_entry32
	jmp ecx
%endif
	mov ecx, pvh_entry32
	jmp ecx

; Print "badboot: module N paddr=0x... size=0x..." for each module of the
; start_info at ebp (low 32 bits: QEMU loads modules below 4 GiB).
print_modules:
	mov ecx, [ebp + HVM_SI_NR_MODULES]
	mov ebx, [ebp + HVM_SI_MODLIST_PADDR]
	xor edi, edi
.next:
	cmp edi, ecx
	jae .done
	push ecx
	mov esi, msg_module
	call puts
	mov eax, edi
	call puthex
	mov esi, msg_paddr
	call puts
	mov eax, [ebx + HVM_MOD_PADDR]
	call puthex
	mov esi, msg_size
	call puts
	mov eax, [ebx + HVM_MOD_SIZE]
	call puthex
	mov esi, msg_eol
	call puts
	pop ecx
	add ebx, HVM_MOD_ENTRY_SIZE
	inc edi
	jmp .next
.done:
	ret

; Print the NUL-terminated string at esi on COM1 (QEMU's 16550 sends
; without being programmed).
puts:
	push eax
	push edx
	mov dx, COM1
.c:
	lodsb
	test al, al
	jz .e
	out dx, al
	jmp .c
.e:
	pop edx
	pop eax
	ret

; Print eax as 8 hex digits on COM1.
puthex:
	push ecx
	push edx
	mov ecx, 8
	mov dx, COM1
.d:
	rol eax, 4
	push eax
	and eax, 0xf
	mov al, [hexdigits + eax]
	out dx, al
	pop eax
	loop .d
	pop edx
	pop ecx
	ret

hexdigits:  db "0123456789abcdef"
msg_module: db "badboot: module 0x", 0
msg_paddr:  db " paddr=0x", 0
msg_size:   db " size=0x", 0
msg_eol:    db 13, 10, 0

; ebx = a copy of the start_info at ebp.
copy_si:
	mov esi, ebp
	mov edi, si_copy
	mov ecx, HVM_SI_SIZE / 4
	rep movsd
	mov ebx, si_copy
	ret

; Build a multiboot2 information at mbi from the start_info at ebp; return
; its address in ebx.  ecx != 0: include a memory-map tag; edx != 0: start
; with a tag of size 4 (invalid).
build_mbi:
	push ecx
	mov edi, mbi + 8
	test edx, edx
	jz .cmdline
	mov dword [edi], 99             ; type 99, size 4: malformed
	mov dword [edi + 4], 4
	add edi, MB2_TAG_HDR
.cmdline:                               ; tag 1: the command line from -append
	mov dword [edi], MB2_TAG_CMDLINE
	lea edx, [edi + MB2_TAG_HDR]
	mov esi, [ebp + HVM_SI_CMDLINE_PADDR]
	test esi, esi
	jz .empty
.copy:
	lodsb
	mov [edx], al
	inc edx
	test al, al
	jnz .copy
	jmp .cmdline_done
.empty:
	mov byte [edx], 0
	inc edx
.cmdline_done:
	mov eax, edx
	sub eax, edi
	mov [edi + 4], eax
	call next_tag
	mov dword [edi], MB2_TAG_BOOT_LOADER_NAME
	mov dword [edi + 4], MB2_TAG_HDR + loader_name_len
	lea edx, [edi + MB2_TAG_HDR]
	mov esi, loader_name
	mov ecx, loader_name_len
.name:
	lodsb
	mov [edx], al
	inc edx
	loop .name
	mov eax, MB2_TAG_HDR + loader_name_len
	call next_tag
	cmp dword [ebp + HVM_SI_NR_MODULES], 0
	je .no_module
	mov dword [edi], MB2_TAG_MODULE ; module 0 of start_info
	mov dword [edi + 4], MB2_MOD_HDR + module_name_len
	mov esi, [ebp + HVM_SI_MODLIST_PADDR]
	mov eax, [esi + HVM_MOD_PADDR] ; mod_start
	mov [edi + 8], eax
	add eax, [esi + HVM_MOD_SIZE]  ; mod_end = start + size
	mov [edi + 12], eax
	lea edx, [edi + MB2_MOD_HDR]
	mov esi, module_name
	mov ecx, module_name_len
.mname:
	lodsb
	mov [edx], al
	inc edx
	loop .mname
	mov eax, MB2_MOD_HDR + module_name_len
	call next_tag
.no_module:
	pop ecx
	test ecx, ecx
	jz .end
	mov dword [edi], MB2_TAG_MMAP
	mov eax, [ebp + HVM_SI_MEMMAP_ENTRIES]
	imul eax, eax, HVM_MEMMAP_ENTRY_SIZE
	add eax, MB2_MMAP_HDR
	mov [edi + 4], eax
	mov dword [edi + 8], HVM_MEMMAP_ENTRY_SIZE
	mov dword [edi + 12], 0
	push edi
	push eax
	lea edi, [edi + MB2_MMAP_HDR]
	mov esi, [ebp + HVM_SI_MEMMAP_PADDR]
	mov ecx, [ebp + HVM_SI_MEMMAP_ENTRIES]
	imul ecx, ecx, HVM_MEMMAP_ENTRY_SIZE / 4
	rep movsd
	pop eax
	pop edi
	call next_tag
.end:
	mov dword [edi], MB2_TAG_END
	mov dword [edi + 4], MB2_TAG_HDR
	add edi, MB2_TAG_HDR
	sub edi, mbi
	mov [mbi], edi                  ; total_size
	mov dword [mbi + 4], 0
	mov ebx, mbi
	ret

; edi += eax rounded up to 8.
next_tag:
	add eax, 7
	and eax, ~7
	add edi, eax
	ret

loader_name:
	db "badboot", 0
loader_name_len equ $ - loader_name
module_name:
	db "initrd", 0
module_name_len equ $ - module_name

section .bss nobits alloc noexec write align=16
si_copy:
	resb HVM_SI_SIZE
	alignb 8
mbi:
	resb 8192
	alignb 16
stack:
	resb 4096
stack_top:
