; head.asm — the two ways into topdown, and the common climb to long mode.
;
; Entry register ABI (paging off, 32-bit flat protected mode, interrupts off):
;
;   multiboot2 (GRUB)       eax = 0x36d76289, ebx = physical address of the
;                           multiboot2 information; esp undefined
;   PVH (QEMU -kernel, Xen) ebx = physical address of struct hvm_start_info;
;                           eax undefined, esp undefined
;
; and a third, 64-bit one (Xen PV domU, `xl create xl-pv.cfg`):
;
;   Xen PV                  long mode, ring 3, paging on with the domain
;                           builder's bootstrap tables (CR3 = their L4's machine
;                           frame); rsi = VIRTUAL address of struct start_info,
;                           rsp = top of the builder's bootstrap stack; events
;                           masked; only the bootstrap region is mapped.  It goes
;                           straight to xen_pv_start() (arch/x86_64/boot/xenpv.c),
;                           never through the 32-bit code below.
;
; Each stub records which protocol it is and jumps to common32, which:
; zeroes .bss, checks the CPU can do long mode, builds the static boot page
; tables (identity 0-4 GiB and -2 GiB -> 0-1 GiB, 2 MiB pages), enables PAE,
; long mode and NX, and jumps to the higher half, where x86_64_start(proto,
; magic, info) checks the magic and converges on struct boot_info.
;
; The paging depth is chosen here, once: CR4.LA57 can only change while
; paging is off.  Five levels when the command line holds the word
; pt.levels=5 and the CPU has LA57 (CPUID 7.0 ECX bit 16); then a boot PML5
; whose slots 0 and 511 both point at the boot PML4 maps the same VAs as the
; four-level tables.  Otherwise four.  The C side reads the depth back from
; CR4 (pt_levels) and kernel/cmdline.c parses and checks the option in full:
; a CPU without LA57 falls back to four with a message there.
;
; This code is linked and run at its physical address (the .boot section).

%include "asm-offsets.inc"

%define KNEG KERNEL_VMA_NEG            ; add to a kernel VA to get its PA
%define COM1 0x3f8

extern __bss_start, __bss_end, __stack_top
extern x86_64_start
extern xen_pv_start, hypercall_page

global mb2_entry32, pvh_entry32, xen_pv_entry64
global boot_pml4

; ---------------------------------------------------------------------------
; Multiboot2 header: in the first 32 KiB of the file, 8-byte aligned.  The
; entry-address tag makes GRUB jump to the physical stub below rather than
; to the ELF entry.
section .multiboot2 progbits alloc noexec nowrite align=8
mb2_header:
	dd MB2_HEADER_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header
	dd (0x100000000 - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))) & 0xffffffff
	align 8, db 0
	dw MB2_HEADER_TAG_ENTRY_ADDRESS, 0
	dd 12
	dd mb2_entry32
	; Framebuffer tag, optional, no preferred mode: GRUB then gives a
	; framebuffer under UEFI (GOP) and keeps VGA text under BIOS unless
	; grub.cfg sets gfxpayload (tools/mkiso.sh).  Without it GRUB-EFI
	; passes no screen at all.
	align 8, db 0
	dw MB2_HEADER_TAG_FRAMEBUFFER, MB2_HEADER_TAG_OPTIONAL
	dd 20
	dd 0, 0, 0                      ; width, height, depth: any
	align 8, db 0
	dw MB2_HEADER_TAG_END, 0
	dd 8
mb2_header_end:

; ---------------------------------------------------------------------------
; Xen ELF note for PVH.  The descriptor is 8 bytes (the 32-bit entry
; zero-extended): QEMU reads a 64-bit value from an ELF64 image.
section .note.Xen note alloc noexec nowrite align=4
	dd 4                            ; namesz ("Xen\0")
	dd 8                            ; descsz
	dd XEN_ELFNOTE_PHYS32_ENTRY     ; type
	db "Xen", 0
	dq pvh_entry32

; Xen PV notes (constants from xen/elfnote.h).  The loader places every
; segment at p_paddr + VIRT_BASE - PADDR_OFFSET, i.e. at its linked address,
; and starts the 64-bit ENTRY.  Hypercalls go through the hypercall page,
; which Xen's domain builder fills for a PV guest (PVH fills it by MSR in
; xen_pvh_init): one mechanism and one set of wrappers for both guest types, and
; Xen picks the instruction (syscall for PV, vmcall/vmmcall for PVH).  No
; FEATURES note: the defaults (no writable page tables, no auto-translated
; physmap) are what topdown wants, and a malformed one breaks PVH loading.
%macro XEN_NOTE 2+
	align 4, db 0
	dd 4                            ; namesz ("Xen\0")
	dd %%desc_end - %%desc          ; descsz
	dd %1                           ; type
	db "Xen", 0
%%desc:
	%2
%%desc_end:
	align 4, db 0
%endmacro

	XEN_NOTE XEN_ELFNOTE_GUEST_OS, db "topdown", 0
	XEN_NOTE XEN_ELFNOTE_XEN_VERSION, db "xen-3.0", 0
	XEN_NOTE XEN_ELFNOTE_LOADER, db "generic", 0
	XEN_NOTE XEN_ELFNOTE_VIRT_BASE, dq KERNEL_VMA
	XEN_NOTE XEN_ELFNOTE_PADDR_OFFSET, dq 0
	XEN_NOTE XEN_ELFNOTE_ENTRY, dq xen_pv_entry64
	XEN_NOTE XEN_ELFNOTE_HYPERCALL_PAGE, dq hypercall_page

; ---------------------------------------------------------------------------
section .boot.text progbits alloc exec nowrite align=16
bits 32

mb2_entry32:
	mov edi, BOOT_PROTO_MULTIBOOT2
	mov esi, eax                    ; magic, checked in C
	mov edx, ebx                    ; multiboot2 info
	jmp common32

pvh_entry32:
	mov edi, BOOT_PROTO_PVH
	xor esi, esi                    ; the magic is inside start_info
	mov edx, ebx                    ; hvm_start_info
	jmp common32

; edi = protocol, esi = magic, edx = info PA.  Kept in ebp, esi and on the
; stack (cpuid clobbers ebx and edx).
common32:
	cli
	cld
	mov ebp, edi
	mov esp, __stack_top + KNEG
	push edx

	; zero .bss (the boot page tables below live there)
	mov edi, __bss_start + KNEG
	mov ecx, __bss_end + KNEG
	sub ecx, edi
	xor eax, eax
	rep stosb

	call want_la57                  ; eax = 1: five levels
	mov [boot_la57 + KNEG], eax

	; long mode?
	mov eax, 0x80000000
	cpuid
	cmp eax, 0x80000001
	jb .no_long_mode
	mov eax, 0x80000001
	cpuid
	bt edx, 29
	jnc .no_long_mode
	mov edi, edx                    ; keep the NX bit (edx bit 20)

	; boot_pd: 2048 x 2 MiB = identity 0-4 GiB
	push edi
	mov edi, boot_pd + KNEG
	mov eax, 0x83                   ; P | RW | PS
	mov ecx, 2048
.fill_pd:
	mov [edi], eax
	add eax, 0x200000
	add edi, 8
	loop .fill_pd
	pop edi

	mov eax, boot_pd + KNEG + 3     ; P | RW
	mov [boot_pdpt_lo + KNEG + 0], eax
	add eax, 4096
	mov [boot_pdpt_lo + KNEG + 8], eax
	add eax, 4096
	mov [boot_pdpt_lo + KNEG + 16], eax
	add eax, 4096
	mov [boot_pdpt_lo + KNEG + 24], eax
	mov eax, boot_pd + KNEG + 3     ; -2 GiB -> 0-1 GiB
	mov [boot_pdpt_hi + KNEG + 510 * 8], eax
	mov eax, boot_pdpt_lo + KNEG + 3
	mov [boot_pml4 + KNEG + 0], eax
	mov eax, boot_pdpt_hi + KNEG + 3
	mov [boot_pml4 + KNEG + 511 * 8], eax

	mov eax, cr4
	or eax, 1 << 5                  ; PAE
	mov ecx, boot_pml4 + KNEG
	cmp dword [boot_la57 + KNEG], 0
	je .cr3
	or eax, 1 << 12                 ; LA57, before paging is on
	mov ecx, boot_pml5 + KNEG
	lea edx, [boot_pml4 + KNEG + 3]
	mov [ecx + 0], edx              ; VA 0-4 GiB and the -2 GiB image: the
	mov [ecx + 511 * 8], edx        ; same L4 below either end of the PML5
.cr3:
	mov cr4, eax
	mov cr3, ecx

	mov ecx, 0xc0000080             ; EFER
	rdmsr
	or eax, 1 << 8                  ; LME
	bt edi, 20
	jnc .no_nx
	or eax, 1 << 11                 ; NXE
.no_nx:
	wrmsr

	mov eax, cr0
	or eax, (1 << 31) | (1 << 16) | 1   ; PG | WP | PE
	mov cr0, eax

	lgdt [boot_gdt_ptr]
	jmp 0x08:long64

.no_long_mode:
	mov esi, msg_no_lm
	jmp boot32_fail

; Does the boot ask for five levels, and can the CPU do them?  eax = 1 if
; the CPU has LA57 and the command line (multiboot2 tag 1, or hvm_start_info
; cmdline_paddr, each only behind its magic) holds the word pt.levels=5.
; Clobbers eax-edx and edi; keeps esi, ebp; [esp + 4] = the info PA.
want_la57:
	push esi
	xor eax, eax
	cpuid
	cmp eax, 7
	jb .no
	mov eax, 7
	xor ecx, ecx
	cpuid
	bt ecx, 16                      ; LA57
	jnc .no
	mov ebx, [esp + 8]              ; info PA
	cmp ebp, BOOT_PROTO_PVH
	je .pvh
	cmp dword [esp], MB2_BOOTLOADER_MAGIC   ; the saved esi
	jne .no
	mov edx, ebx
	add edx, [ebx]                  ; end of the information (total_size)
	lea edi, [ebx + 8]              ; first tag
.tag:
	lea eax, [edi + 8]
	cmp eax, edx
	ja .no
	mov eax, [edi]                  ; type
	cmp eax, MB2_TAG_END
	je .no
	cmp eax, MB2_TAG_CMDLINE
	je .scan_at
	mov eax, [edi + 4]              ; size, then 8-aligned
	cmp eax, 8
	jb .no
	add eax, 7
	and eax, ~7
	add edi, eax
	jmp .tag
.scan_at:
	add edi, 8                      ; the string
	jmp .scan
.pvh:
	cmp dword [ebx + HVM_SI_MAGIC], XEN_HVM_START_MAGIC_VALUE
	jne .no
	cmp dword [ebx + HVM_SI_CMDLINE_PADDR + 4], 0
	jne .no
	mov edi, [ebx + HVM_SI_CMDLINE_PADDR]
	test edi, edi
	jz .no
.scan:                                  ; edi at the start of a word
	mov al, [edi]
	test al, al
	jz .no
	cmp al, ' '
	je .skip_blank
	cmp al, 9
	je .skip_blank
	mov esi, levels5_word
	mov ecx, levels5_word_len
	push edi
	repe cmpsb
	pop edi
	jne .skip_word
	mov al, [edi + levels5_word_len] ; the word must end there
	test al, al
	jz .yes
	cmp al, ' '
	je .yes
	cmp al, 9
	je .yes
.skip_word:
	mov al, [edi]
	test al, al
	jz .no
	cmp al, ' '
	je .scan
	cmp al, 9
	je .scan
	inc edi
	jmp .skip_word
.skip_blank:
	inc edi
	jmp .scan
.yes:
	mov eax, 1
	pop esi
	ret
.no:
	xor eax, eax
	pop esi
	ret

; Print the NUL-terminated string at esi on COM1 and Xen's debug port
; (0xE9), then stop through isa-debug-exit, or halt.
boot32_fail:
	mov dx, COM1
	lodsb
	test al, al
	jz .stop
	out dx, al
	out XEN_HVM_DEBUGCONS_IOPORT, al
	jmp boot32_fail
.stop:
	mov dx, DEBUG_EXIT_PORT
	mov al, DEBUG_EXIT_PANIC
	out dx, al
.halt:
	hlt
	jmp .halt

bits 64
long64:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov edi, ebp                    ; protocol
	mov edx, [rsp]                  ; info PA (esi: magic)
	mov rax, higher_half
	jmp rax

section .boot.data progbits alloc noexec write align=16
levels5_word:   db "pt.levels=5"
levels5_word_len equ $ - levels5_word
msg_no_lm:
	db "PANIC: common32: CPU has no long mode (CPUID 0x80000001 EDX bit 29 clear)", 13, 10
	db "topdown: result: PANIC", 13, 10, 0

align 16
boot_gdt:
	dq 0
	dq 0x00af9a000000ffff           ; 0x08: 64-bit code
	dq 0x00cf92000000ffff           ; 0x10: data
boot_gdt_ptr:
	dw boot_gdt_ptr - boot_gdt - 1
	dd boot_gdt

; ---------------------------------------------------------------------------
section .text
bits 64
higher_half:
	mov rsp, __stack_top
	xor ebp, ebp                    ; terminate frame-pointer chains
	; edi = protocol, esi = magic, edx = info PA
	call x86_64_start
	ud2

; Xen PV: already 64-bit and in the higher half.  Our own boot stack (the
; image is mapped by the builder), start_info and the builder's stack top
; as arguments; .bss was zeroed by the loader (it zeroes p_memsz - p_filesz).
xen_pv_entry64:
	cld
	mov rdi, rsi                    ; start_info (virtual)
	mov rsi, rsp                    ; bootstrap stack top: locates that page
	mov rsp, __stack_top
	xor ebp, ebp
	call xen_pv_start
	ud2

section .bss
align 4096
boot_pml5:      resb 4096               ; used only with five levels
boot_pml4:      resb 4096
boot_pdpt_lo:   resb 4096
boot_pdpt_hi:   resb 4096
boot_pd:        resb 4 * 4096
boot_la57:      resd 1                  ; 1: CR4.LA57 and boot_pml5
