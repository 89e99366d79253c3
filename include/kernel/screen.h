/*
 * include/kernel/screen.h — the screen console (VGA text or a linear
 * framebuffer, whichever the loader left), a console of the multiplexer.
 *
 * It comes up once the kernel's own tables are live, through the fixmap,
 * and replays the log: output printed before that reaches serial at once
 * and the screen then.  A panic earlier than that brings it up at once
 * (through the boot tables' identity map while they are live).
 */
#ifndef KERNEL_SCREEN_H
#define KERNEL_SCREEN_H

#include <stdint.h>

struct boot_info;

/* Map the screen, register it, replay the log; says what it did. */
void screen_init(const struct boot_info *bi);

/* From panic: the same, now, if the screen is not up yet. */
void screen_emergency(void);

/* TSC ticks spent painting the screen so far (replay included). */
uint64_t screen_tsc(void);

#endif /* KERNEL_SCREEN_H */
