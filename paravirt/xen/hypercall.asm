; hypercall.asm — the hypercall page.
;
; Xen fills this page with one 32-byte stub per hypercall when its physical
; address is written to the MSR named by CPUID leaf base+2.  Until then it
; holds ud2 everywhere: a hypercall made too early raises #UD (and is
; reported), and xen_pvh_init() checks that the page changed.

section .hypercall_page progbits alloc exec nowrite align=4096
global hypercall_page
hypercall_page:
	times 2048 db 0x0f, 0x0b        ; ud2
