; user.asm — into ring 3 and back (kernel/user.c; <kernel/user.h>).
;
; The per-CPU state lives in this CPU's globaldata page, reached by plain
; loads from fixed addresses (GD_*, slot 510: the same VA on every CPU maps
; that CPU's own page).  Only rax has a 64-bit absolute load/store form, so
; the entry paths move everything through rax.
;
;   user_enter(r)   saves the kernel's callee-saved registers and rsp
;                   (kernel_rsp), points TSS rsp0 just below it, loads *r and
;                   iretq's to ring 3 (RFLAGS from r: IF stays clear, no
;                   interrupt reaches a user program; it yields).
;   syscall_entry   saves the user registers into *user_regs, runs
;                   user_syscall(r) on the kernel stack below kernel_rsp, and
;                   returns with sysretq — unless the call yields or exits,
;                   which is user_leave.
;   user_leave(why) drops whatever stack it runs on, returns `why` from
;                   user_enter.  A fault in ring 3 lands on the rsp0 stack
;                   (below kernel_rsp as well) and leaves the same way.

%include "asm-offsets.inc"
%include "user_regs.inc"

bits 64
section .text

global user_enter, user_leave, syscall_entry
global user_syscall_fn

user_enter:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	mov rax, rsp
	mov [abs qword GD_KERNEL_RSP], rax
	and rax, -16
	mov rcx, rax
	mov rax, [abs qword GD_TSS_RSP0]
	mov [rax], rcx                  ; TSS rsp0: a fault in ring 3 lands below the frame
	mov rax, rdi
	mov [abs qword GD_USER_REGS], rax
	push USER_DS                    ; ss
	push qword [rdi + UR_rsp]
	push qword [rdi + UR_rflags]
	push USER_CS                    ; cs
	push qword [rdi + UR_rip]
	LOAD_USER_REGS
	iretq

user_leave:
	mov rax, [abs qword GD_KERNEL_RSP]
	mov rsp, rax
	mov rax, rdi
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbp
	pop rbx
	ret

; syscall: rcx = user rip, r11 = user rflags, rsp still the user's; IF, TF,
; DF and AC cleared by SFMASK.
syscall_entry:
	mov [abs qword GD_SCRATCH], rax
	mov rax, [abs qword GD_USER_REGS]
	mov [rax + UR_rbx], rbx
	mov [rax + UR_rcx], rcx
	mov [rax + UR_rdx], rdx
	mov [rax + UR_rsi], rsi
	mov [rax + UR_rdi], rdi
	mov [rax + UR_rbp], rbp
	mov [rax + UR_r8], r8
	mov [rax + UR_r9], r9
	mov [rax + UR_r10], r10
	mov [rax + UR_r11], r11
	mov [rax + UR_r12], r12
	mov [rax + UR_r13], r13
	mov [rax + UR_r14], r14
	mov [rax + UR_r15], r15
	mov [rax + UR_rip], rcx
	mov [rax + UR_rflags], r11
	mov [rax + UR_rsp], rsp
	mov rbx, rax                    ; rbx = the regs (callee-saved across the call)
	mov rax, [abs qword GD_SCRATCH]
	mov [rbx + UR_rax], rax
	mov rax, [abs qword GD_KERNEL_RSP]
	and rax, -16
	mov rsp, rax
	mov rdi, rbx
	cld
	call [rel user_syscall_fn]
	mov rax, [rbx + UR_rax]
	mov rdx, [rbx + UR_rdx]
	mov rsi, [rbx + UR_rsi]
	mov rdi, [rbx + UR_rdi]
	mov rbp, [rbx + UR_rbp]
	mov r8, [rbx + UR_r8]
	mov r9, [rbx + UR_r9]
	mov r10, [rbx + UR_r10]
	mov r12, [rbx + UR_r12]
	mov r13, [rbx + UR_r13]
	mov r14, [rbx + UR_r14]
	mov r15, [rbx + UR_r15]
	mov rcx, [rbx + UR_rip]
	mov r11, [rbx + UR_rflags]
	mov rsp, [rbx + UR_rsp]
	mov rbx, [rbx + UR_rbx]
	o64 sysret

section .data
align 8
user_syscall_fn:
	dq 0
