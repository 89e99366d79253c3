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
