/* include/arch/serial.h — 16550 UART on COM1 (0x3f8), 115200 8N1. */
#ifndef ARCH_SERIAL_H
#define ARCH_SERIAL_H

#include <stddef.h>

void serial_init(void);
void serial_write(const char *s, size_t n);

#endif /* ARCH_SERIAL_H */
