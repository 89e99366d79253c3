; trampoline.asm — where every AP starts (INIT-SIPI-SIPI), copied at run
; time to a page below 1 MiB (arch/x86_64/smp.c picks and reserves it before
; mm runs).  The SIPI vector makes CS = page >> 4, IP = 0, in real mode.
;
; All APs are kicked in one pass and run this code at the same time, so
; nothing in it is "the" AP's: each finds its own record (struct tramp_slot,
; <arch/smp.h>) by its APIC id, read from its own LAPIC (xAPIC: MMIO at
; APIC_BASE; x2APIC mode, APIC_BASE.EXTD: the ID MSR), and claims it with a
; locked compare-and-exchange READY -> TAKEN while paging is still off (the
; page is read-only once paging is on).  No record, or one that is not READY
; (the boot CPU declared it DEAD at the deadline): the CPU counts itself in
; `late` and parks here, cli; hlt, never reaching the kernel.
;
; Control registers: CR0 is loaded as a fixed value at both steps (real ->
; protected: PE only; -> long mode: CR0_STATE, <arch/cpu.h>), never OR-ed
; into what the CPU had: INIT leaves CD and NW as they were (SDM vol. 3,
; table 9-1), and an AP its firmware never woke still has them set from
; power-up.  CR4 and EFER are the boot CPU's (tramp_params), so every CPU
; runs with the same ones; PAT and the rest follow in cpu_ctl_setup().
;
; Then 32-bit protected mode (the trampoline's own flat GDT) and directly
; long mode on the AP's OWN L4 (its record's cr3, below 4 GiB: this mov to
; CR3 is 32-bit), whose slot 0 maps this one page at its physical address
; (read-only, executable); its own stack, and smp_ap_entry(struct cpu *) in
; the higher half, which drops slot 0 again.
;
; The parameter block (struct tramp_params) and the records follow the code;
; offsets through asm-offsets.c.  No IDT is usable here: the real-mode IVT
; at 0 is the firmware's, so the first thing is a null IDT (limit 0): an NMI
; or exception before smp_ap_entry loads the kernel's IDT shuts the CPU down
; instead of running whatever the IVT points at.

%include "asm-offsets.inc"

section .rodata
align 16
global smp_tramp_start, smp_tramp_end, smp_tramp_params

%define OFF(x) ((x) - smp_tramp_start)
%define P(x) (OFF(smp_tramp_params) + TP_ %+ x)
%define MSR_APIC_BASE   0x1b
%define APIC_BASE_EXTD  (1 << 10)
%define MSR_X2APIC_ID   0x802

bits 16
smp_tramp_start:
	cli
	cld
	mov ax, cs
	mov ds, ax
	movzx ebx, ax
	shl ebx, 4                      ; ebx = the trampoline's PA, kept to the end
	o32 lidt [P(idtr_limit)]        ; null IDT: limit 0
	o32 lgdt [P(gdtr_limit)]
	mov eax, 1                      ; CR0 = PE, nothing else: CD, NW, TS, EM clear
	mov cr0, eax
	jmp far dword [P(jmp32_off)]

bits 32
tramp_pm32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov ecx, MSR_APIC_BASE          ; who am I: my own LAPIC says
	rdmsr
	test eax, APIC_BASE_EXTD
	jnz .x2apic
	and eax, 0xfffff000             ; paging off: the physical xAPIC page
	mov eax, [eax + 0x20]           ; LAPIC ID register, bits 31:24
	shr eax, 24
	jmp .find
.x2apic:
	mov ecx, MSR_X2APIC_ID          ; the full 32-bit x2APIC id
	rdmsr
.find:
	lea esi, [ebx + OFF(smp_tramp_end)]     ; the records
	mov ecx, [ebx + P(nr_slots)]
.next:
	test ecx, ecx
	jz .park
	cmp [esi + TS_apic_id], eax
	je .mine
	add esi, TS_SIZE
	dec ecx
	jmp .next
.mine:
	mov eax, TRAMP_SLOT_READY
	mov ecx, TRAMP_SLOT_TAKEN
	lock cmpxchg [esi + TS_state], ecx
	jne .park                       ; DEAD (or taken twice): not ours to run
	rdtsc
	mov [esi + TS_start_tsc], eax   ; when it started (smp.c reports it)
	mov eax, [ebx + P(cr4)]         ; the boot CPU's CR4 (PAE, PGE, ...)
	mov cr4, eax
	mov eax, [esi + TS_cr3]         ; the AP's own L4
	mov cr3, eax
	mov ecx, 0xc0000080             ; EFER: the boot CPU's (LME, NXE)
	mov eax, [ebx + P(efer)]
	xor edx, edx
	wrmsr
	mov eax, CR0_STATE              ; the fixed CR0: PG, WP, NE, ET, MP, PE
	mov cr0, eax
	jmp far dword [ebx + P(jmp64_off)]
.park:                                  ; no record for me, or a dead one: stay out
	lock inc dword [ebx + P(late)]
.halt:
	cli
	hlt
	jmp .halt

bits 64
tramp_lm64:
	mov esi, esi                    ; zero-extend: the record's PA (slot 0 maps it)
	mov ebx, ebx
	mov rsp, [rsi + TS_stack]
	mov rdi, [rsi + TS_arg]
	mov rax, [rbx + P(entry)]
	xor ebp, ebp
	push 0                          ; a zero return address ends backtraces
	jmp rax

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
align 32
smp_tramp_end:                          ; the records (struct tramp_slot) follow

global smp_tramp_gdt_off, smp_tramp_gdt_size, smp_tramp_pm32_off, smp_tramp_lm64_off
smp_tramp_gdt_off:  dd OFF(tramp_gdt)
smp_tramp_gdt_size: dd tramp_gdt_end - tramp_gdt
smp_tramp_pm32_off: dd OFF(tramp_pm32)
smp_tramp_lm64_off: dd OFF(tramp_lm64)

; ---------------------------------------------------------------------------
; Interrupt entries of the SMP code (vectors in <arch/lapic.h>).
section .text
bits 64
global smp_call_stub, lapic_timer_stub, spurious_stub
extern smp_call_interrupt, lapic_timer_interrupt

; An interrupt that calls a C function (it sends the EOI).  The CPU aligned
; RSP before pushing its 5-word frame; 9 pushes keep the call 16-byte aligned.
%macro C_INTERRUPT 2
%1:
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
	call %2
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
%endmacro

; VECTOR_CALL: run the posted function.  VECTOR_TIMER: a LAPIC timer tick.
C_INTERRUPT smp_call_stub, smp_call_interrupt
C_INTERRUPT lapic_timer_stub, lapic_timer_interrupt

; The spurious vector: no EOI, nothing to do.
spurious_stub:
	iretq
