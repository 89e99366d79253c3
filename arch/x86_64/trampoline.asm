; trampoline.asm — where an AP starts (INIT-SIPI-SIPI), copied at run time
; to a page below 1 MiB (arch/x86_64/smp.c picks and reserves it before mm
; runs).  The SIPI vector makes CS = page >> 4, IP = 0, in real mode.
;
; The AP goes from real mode to 32-bit protected mode (the trampoline's own
; flat GDT) and from there directly to long mode on its OWN L4: CR3 is the
; page mm/percpu.c built for it (below 4 GiB: this mov to CR3 is 32-bit),
; whose slot 0 maps this one page at its physical address (read-only,
; executable) so that the instructions after the paging switch are
; reachable.  In 64-bit mode it checks that the parameters are for it (its
; APIC id), takes its own stack and jumps to smp_ap_entry(struct cpu *) in
; the higher half, which drops slot 0 again.
;
; The parameter block (struct tramp_params, <arch/smp.h>; offsets through
; asm-offsets.c) sits at the end of the copy and is filled by the BSP for
; each AP before its SIPI.  Nothing here writes to the page.

%include "asm-offsets.inc"

section .rodata
align 16
global smp_tramp_start, smp_tramp_end, smp_tramp_params

%define OFF(x) ((x) - smp_tramp_start)
%define P(x) (OFF(smp_tramp_params) + TP_ %+ x)

bits 16
smp_tramp_start:
	cli
	cld
	mov ax, cs
	mov ds, ax
	movzx ebx, ax
	shl ebx, 4                      ; ebx = the trampoline's PA, kept to the end
	o32 lgdt [P(gdtr_limit)]
	mov eax, cr0
	or eax, 1                       ; PE
	mov cr0, eax
	jmp far dword [P(jmp32_off)]

bits 32
tramp_pm32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, [ebx + P(cr4)]         ; PAE (+ PGE as the BSP has it)
	mov cr4, eax
	mov eax, [ebx + P(cr3)]         ; the AP's own L4
	mov cr3, eax
	mov ecx, 0xc0000080             ; EFER: LME (+ NXE as the BSP has it)
	mov eax, [ebx + P(efer)]
	xor edx, edx
	wrmsr
	mov eax, cr0
	or eax, 0x80010001              ; PG | WP | PE
	mov cr0, eax
	jmp far dword [ebx + P(jmp64_off)]

bits 64
tramp_lm64:
	mov ebx, ebx                    ; zero-extend the PA
	mov rax, [rbx + P(lapic_va)]
	mov eax, [rax + 0x20]           ; LAPIC ID register
	shr eax, 24
	cmp eax, [rbx + P(apic_id)]
	jne .not_mine
	mov rsp, [rbx + P(stack)]
	mov rdi, [rbx + P(arg)]
	mov rax, [rbx + P(entry)]
	xor ebp, ebp
	push 0                          ; a zero return address ends backtraces
	jmp rax
.not_mine:                              ; a late AP whose parameters were reused: stay out
	cli
	hlt
	jmp .not_mine

align 8
tramp_gdt:
	dq 0
	dq 0x00cf9b000000ffff           ; 0x08: 32-bit code (accessed bits preset: once paging is on
					; this page is read-only, and a CPU setting them faults)
	dq 0x00cf93000000ffff           ; 0x10: data (accessed)
	dq 0x00af9b000000ffff           ; 0x18: 64-bit code (accessed)
tramp_gdt_end:

align 8
smp_tramp_params:
	times TP_SIZE db 0
smp_tramp_end:

global smp_tramp_gdt_off, smp_tramp_gdt_size, smp_tramp_pm32_off, smp_tramp_lm64_off
smp_tramp_gdt_off:  dd OFF(tramp_gdt)
smp_tramp_gdt_size: dd tramp_gdt_end - tramp_gdt
smp_tramp_pm32_off: dd OFF(tramp_pm32)
smp_tramp_lm64_off: dd OFF(tramp_lm64)

; ---------------------------------------------------------------------------
; Interrupt entries of the SMP code (vectors in <arch/lapic.h>).
section .text
bits 64
global smp_call_stub, spurious_stub
extern smp_call_interrupt

; VECTOR_CALL: run the posted function (smp_call_interrupt sends the EOI).
; The CPU aligned RSP before pushing its 5-word frame; 9 pushes keep the
; call 16-byte aligned.
smp_call_stub:
	push rax
	push rcx
	push rdx
	push rsi
	push rdi
	push r8
	push r9
	push r10
	push r11
	cld
	call smp_call_interrupt
	pop r11
	pop r10
	pop r9
	pop r8
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rax
	iretq

; The spurious vector: no EOI, nothing to do.
spurious_stub:
	iretq
