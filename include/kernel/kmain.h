#ifndef KERNEL_KMAIN_H
#define KERNEL_KMAIN_H

struct boot_info;

__attribute__((noreturn))
void kmain(struct boot_info *bi);

#endif /* KERNEL_KMAIN_H */
