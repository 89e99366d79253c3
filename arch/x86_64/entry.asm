; entry.asm — exception entry stubs.
;
; Every vector 0-31 gets a stub that makes the stack look the same
; (a dummy error code where the CPU pushes none, then the vector number),
; saves the general registers and calls trap_handler(struct trap_frame *).
; Every exception is fatal in topdown, so the handler does not return.

bits 64
section .text

extern trap_handler
global trap_stubs

%macro STUB 1
align 16
stub_%1:
%if %1 != 8 && %1 != 10 && %1 != 11 && %1 != 12 && %1 != 13 && %1 != 14 && %1 != 17 && %1 != 21 && %1 != 29 && %1 != 30
	push 0                          ; no CPU error code: keep the layout
%endif
	push %1
	jmp trap_common
%endmacro

%assign v 0
%rep 32
STUB v
%assign v v+1
%endrep

; Layout must match struct trap_frame in <arch/traps.h>.
trap_common:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	mov rdi, rsp
	and rsp, -16
	call trap_handler
	ud2

section .rodata
align 8
trap_stubs:
%assign v 0
%rep 32
	dq stub_ %+ v
%assign v v+1
%endrep
