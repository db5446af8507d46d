/* tty.c -- the console tty (input side for now: bytes queued from IRQ_CONSOLE). */
#include "types.h"
#include "defs.h"

void tty_input(char c)
{
    console_queue_put(c);
}

void tty_input_eof(void)
{
}
