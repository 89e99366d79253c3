; entry_pv.asm — into ring 3 and back on Xen PV (paravirt/xen/user_pv.c).
;
; A PV guest kernel runs in ring 3 itself: it cannot iretq into user mode
; (Xen would not know, and would keep the kernel's root loaded), and a
; syscall from user mode goes to Xen first.  Xen 4.17's facts this code
; relies on (xen/arch/x86/x86_64/entry.S, pv/iret.c, pv/hypercall.c):
;
;   HYPERVISOR_iret  jumped to (never called) with [rsp] = flags, rip, cs,
;                    rflags, rsp, ss; the hypercall page's stub pushes rcx,
;                    r11 and rax on top, which makes Xen's struct
;                    iret_context.  cs with RPL 3 means user mode: Xen
;                    switches to the vCPU's user root.  rflags.IF becomes the
;                    event mask (clear: masked; the programs run with IF clear
;                    natively too).  VGCF_in_syscall: Xen returns with sysret
;                    (rcx, r11 from the frame ignored, as the native sysret);
;                    without it every register is restored.  Every register
;                    not in the frame keeps the value it has at the jump.
;   syscall bounce   Xen switches to kernel mode and the kernel root, then
;                    runs the CALLBACKTYPE_syscall handler on the stack
;                    HYPERVISOR_stack_switch named (kernel_sp, 16-aligned)
;                    with [rsp] = rcx, r11, rip, cs, rflags, rsp, ss (7
;                    words, no error code); rcx = the user's rip and r11 its
;                    rflags, as the instruction left them; every other
;                    register is the user's.  Events masked
;                    (CALLBACKF_mask_events).
;   exceptions       the same frame with the error code between r11 and rip,
;                    also on kernel_sp; traps_pv.asm takes it (cs RPL 3: a
;                    fault in ring 3, the native trap_handler's test).
;
;   xen_pv_user_enter(r)    user_enter for PV: callee-saved registers and
;                    kernel_rsp as natively, then HYPERVISOR_stack_switch to
;                    just below that frame (Xen's kernel_sp: this vCPU's own
;                    stack, as TSS rsp0 natively), then HYPERVISOR_iret.
;   xen_pv_syscall_entry    the syscall callback: the user registers into
;                    *user_regs, user_syscall_fn(r) on the kernel stack below
;                    kernel_rsp, back by HYPERVISOR_iret with VGCF_in_syscall
;                    — unless the call yields or exits (user_leave, shared
;                    with the native path).

%include "asm-offsets.inc"
%include "user_regs.inc"

bits 64
section .text

extern hypercall_page, user_syscall_fn, xen_pv_stack_switch_failed, xen_pv_iret
global xen_pv_user_enter, xen_pv_syscall_entry, xen_pv_user_hypercalls

HC_IRET         equ hypercall_page + __HYPERVISOR_iret * 32
HC_STACK_SWITCH equ hypercall_page + __HYPERVISOR_stack_switch * 32

; rdi = struct user_regs *: the frame, every register loaded, HYPERVISOR_iret:
; flags 0 through xen_pv_iret (traps_pv.asm, the seam back from any bounce
; frame, which pushes them), VGCF_in_syscall straight to the hypercall page.
%macro IRET_TO_USER 1           ; %1 = the frame's flags
	lock inc qword [rel xen_pv_user_hypercalls]
	push FLAT_USER_SS               ; ss
	push qword [rdi + UR_rsp]
	push qword [rdi + UR_rflags]    ; IF clear: events stay masked in ring 3
	push FLAT_USER_CS               ; cs, RPL 3: user mode
	push qword [rdi + UR_rip]
%if %1
	push %1                         ; flags
%endif
	LOAD_USER_REGS
%if %1
	jmp HC_IRET
%else
	jmp xen_pv_iret
%endif
%endmacro

xen_pv_user_enter:
	push rbx
	push rbp
	push r12
	push r13
	push r14
	push r15
	mov rax, rsp
	mov [abs qword GD_KERNEL_RSP], rax
	mov rbx, rdi                    ; the regs, across the hypercall
	mov rsi, rsp
	and rsi, -16                    ; kernel_sp: a bounce lands below the frame
	mov edi, FLAT_KERNEL_SS
	call HC_STACK_SWITCH
	lock inc qword [rel xen_pv_user_hypercalls]
	test rax, rax
	jnz .refused
	mov rdi, rbx
	mov rax, rdi
	mov [abs qword GD_USER_REGS], rax
	IRET_TO_USER 0                  ; every register restored
.refused:
	mov rdi, rax
	call xen_pv_stack_switch_failed ; PANIC naming rc; does not return
	ud2

xen_pv_syscall_entry:
	mov [abs qword GD_SCRATCH], rax
	mov rax, [abs qword GD_USER_REGS]
	mov [rax + UR_rbx], rbx
	mov [rax + UR_rdx], rdx
	mov [rax + UR_rsi], rsi
	mov [rax + UR_rdi], rdi
	mov [rax + UR_rbp], rbp
	mov [rax + UR_r8], r8
	mov [rax + UR_r9], r9
	mov [rax + UR_r10], r10
	mov [rax + UR_r12], r12
	mov [rax + UR_r13], r13
	mov [rax + UR_r14], r14
	mov [rax + UR_r15], r15
	mov rbx, rax                    ; rbx = the regs (callee-saved across the call)
	mov rax, [rsp]                  ; Xen's frame: rcx (the user's rip)
	mov [rbx + UR_rcx], rax
	mov rax, [rsp + 8]              ; r11 (the user's rflags)
	mov [rbx + UR_r11], rax
	mov rax, [rsp + 16]
	mov [rbx + UR_rip], rax
	mov rax, [rsp + 32]
	mov [rbx + UR_rflags], rax
	mov rax, [rsp + 40]
	mov [rbx + UR_rsp], rax
	mov rax, [abs qword GD_SCRATCH]
	mov [rbx + UR_rax], rax
	mov rax, [abs qword GD_KERNEL_RSP]
	and rax, -16
	mov rsp, rax
	mov rdi, rbx
	cld
	call [rel user_syscall_fn]
	mov rdi, rbx
	IRET_TO_USER VGCF_in_syscall    ; back as sysret would: rcx, r11 from rip, rflags

section .data
align 8
; HYPERVISOR_stack_switch and HYPERVISOR_iret made here, counted at the call.
xen_pv_user_hypercalls:
	dq 0
