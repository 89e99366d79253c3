; blobs.asm — the user programs' ELF files, linked into the kernel's rodata
; (kernel/user.c loads them into their address spaces).

section .rodata
align 16
global user_ping_elf, user_ping_elf_end, user_pong_elf, user_pong_elf_end
user_ping_elf:
	incbin "ping.elf"
user_ping_elf_end:
align 16
user_pong_elf:
	incbin "pong.elf"
user_pong_elf_end:
