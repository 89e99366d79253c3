; traps_pv.asm — exception entry for a Xen PV guest.
;
; Xen delivers an exception to the handler registered with
; HYPERVISOR_set_trap_table on the guest kernel stack, with the frame the
; CPU would have pushed (ss, rsp, rflags, cs, rip, error code where the
; vector has one) and, below it, the guest's rcx and r11 (Xen's own return
; path clobbers them).  Each stub restores rcx and r11 and continues in the
; native stub of the same vector (entry.asm), so one trap_handler serves
; both; CR2 comes from vcpu_info (pv_ops.cpu.read_cr2).

bits 64
section .text

extern trap_stubs
global xen_pv_trap_stubs

%macro PVSTUB 1
align 16
xen_pv_stub_%1:
	mov rcx, [rsp]
	mov r11, [rsp + 8]
	add rsp, 16
	jmp [rel trap_stubs + %1 * 8]
%endmacro

%assign v 0
%rep 32
PVSTUB v
%assign v v+1
%endrep

section .rodata
align 8
xen_pv_trap_stubs:
%assign v 0
%rep 32
	dq xen_pv_stub_ %+ v
%assign v v+1
%endrep

; ---------------------------------------------------------------- events
;
; xen_pv_event_entry — the event upcall (CALLBACKTYPE_event; evtchn_pv.c).
; Xen enters it with events masked (evtchn_upcall_mask = 1) and its bounce
; frame on the stack: rcx, r11, then rip, cs, rflags, rsp, ss as the CPU
; would push them.  In the CS slot, bits 32-39 hold the mask before the
; upcall and RFLAGS.IF is its inverse; the CS RPL is 0 if the upcall
; interrupted kernel mode (Xen clears it) and 3 if it interrupted user mode
; (Xen then switched to the kernel root and to kernel_sp first).
; The handler gets the saved CS in rdi; the way back is xen_pv_iret.
;
; xen_pv_iret — the seam back from any Xen bounce frame (kernel or user):
; jump here with rsp at rip, cs, rflags, rsp, ss and every register as it
; must be on return.  It pushes iret_context.flags (0: not in a syscall);
; the iret stub of the hypercall page pushes rcx, r11, rax (Xen's
; pv_ring3_init_hypercall_page) and enters Xen, whose do_iret restores them
; from that iret_context, switches to user mode (root, stack)
; when the saved CS has RPL 3, returns to kernel mode otherwise, and sets
; the event mask to !RFLAGS.IF; events that came in meanwhile are delivered
; on that exit, so none is lost between the unmask and the return.

section .text

extern xen_pv_event_upcall
extern xen_pv_iret_stub
global xen_pv_event_entry
global xen_pv_iret

align 16
xen_pv_event_entry:
	mov rcx, [rsp]
	mov r11, [rsp + 8]
	add rsp, 16                     ; rsp: rip, cs, rflags, rsp, ss
	push rax
	push rcx
	push rdx
	push rsi
	push rdi
	push r8
	push r9
	push r10
	push r11                        ; 9 pushes: rsp 16-aligned (Xen aligns the frame)
	mov rdi, [rsp + 10 * 8]         ; the saved CS
	call xen_pv_event_upcall
	pop r11
	pop r10
	pop r9
	pop r8
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rax
	; fall through

xen_pv_iret:
	push 0                          ; iret_context.flags: not in a syscall
	jmp [rel xen_pv_iret_stub]      ; pushes rcx, r11, rax: the iret_context
