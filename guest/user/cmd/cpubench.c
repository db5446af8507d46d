/* cpubench.c -- CPU-bound benchmark: generates data with an xorshift PRNG,
 * then CRC-32 (bitwise, table-free) and FNV-1a 64 over it, ROUNDS times.
 * Prints "cpubench: rounds=N bytes=B crc32=XXXXXXXX fnv=XXXXXXXXXXXXXXXX ms=T".
 * The checksums depend only on the arguments, so host and guest must agree. */
#include "cmds.h"

int cpubench_main(int argc, char **argv)
{
	long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 8;
	long size = argc > 2 ? strtol(argv[2], NULL, 10) : 65536;
	if (rounds <= 0 || size <= 0 || size > (64 << 20)) {
		warn("usage: cpubench [ROUNDS [BYTES]]");
		return 1;
	}
	u8 *buf = malloc(size);
	if (!buf) {
		warn("memory exhausted");
		return 1;
	}
	long t0 = monotonic_ms();
	u64 x = 0x9E3779B97F4A7C15ull;
	u32 crc = 0xffffffff;
	u64 fnv = 0xcbf29ce484222325ull;
	for (long r = 0; r < rounds; r++) {
		for (long i = 0; i < size; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			buf[i] = (u8)(x >> 24);
		}
		for (long i = 0; i < size; i++) {
			crc ^= buf[i];
			for (int k = 0; k < 8; k++)
				crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
			fnv = (fnv ^ buf[i]) * 0x100000001b3ull;
		}
	}
	long ms = monotonic_ms() - t0;
	printf("cpubench: rounds=%ld bytes=%ld crc32=%08x fnv=%016lx ms=%ld\n", rounds, size,
	       ~crc, fnv, ms);
	free(buf);
	return 0;
}
