/*
 * serial.c — polled 16550 output on COM1.
 *
 * A missing UART reads back 0xff, so the THR-empty wait below ends at once
 * rather than hanging; the bounded spin covers a stuck one.
 */
#include <arch/cpu.h>
#include <arch/serial.h>

#define COM1        0x3f8
#define UART_THR    0
#define UART_IER    1
#define UART_FCR    2
#define UART_LCR    3
#define UART_MCR    4
#define UART_LSR    5
#define UART_DLL    0
#define UART_DLM    1
#define LSR_THRE    0x20
#define LCR_DLAB    0x80
#define LCR_8N1     0x03

void serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);            /* no interrupts */
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, 1);               /* 115200 baud */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, 0xc7);            /* FIFO on, cleared */
	outb(COM1 + UART_MCR, 0x03);            /* DTR, RTS */
}

static void serial_putc(char c)
{
	unsigned int spin = 100000;

	while (!(inb(COM1 + UART_LSR) & LSR_THRE) && --spin)
		;
	outb(COM1 + UART_THR, (uint8_t)c);
}

void serial_write(const char *s, size_t n)
{
	while (n--) {
		if (*s == '\n')
			serial_putc('\r');
		serial_putc(*s++);
	}
}
