/* clock.c -- time (HC_CLOCK) and the periodic timer (HC_TIMER -> IRQ_TIMER). */
#include "types.h"
#include "layout.h"
#include "defs.h"

static volatile uint64_t ticks;
static uint32_t timer_hz;

void clockinit(uint32_t hz)
{
    timer_hz = hz ? hz : 100;
    hcall(HC_TIMER, 1000000000ULL / timer_hz, 0, 0, 0, 0, 0, 0);
}

void timer_stop(void)
{
    hcall(HC_TIMER, 0, 0, 0, 0, 0, 0, 0);
}

void clock_intr(void)
{
    ticks++;
}

uint64_t clock_ticks(void)
{
    return ticks;
}

uint32_t clock_hz(void)
{
    return timer_hz;
}

uint64_t clock_monotonic_ns(void)
{
    uint64_t rt, mono;
    hcall(HC_CLOCK, 0, 0, 0, 0, 0, &rt, &mono);
    return mono;
}

uint64_t clock_realtime_ns(void)
{
    uint64_t rt, mono;
    hcall(HC_CLOCK, 0, 0, 0, 0, 0, &rt, &mono);
    return rt;
}

uint64_t clock_realtime_sec(void)
{
    return clock_realtime_ns() / 1000000000ULL;
}
