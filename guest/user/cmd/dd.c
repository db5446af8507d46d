/* dd.c -- dd if= of= bs= ibs= obs= count= skip= seek= conv=notrunc,sync,noerror
 * status=none|noxfer.  Record counting and the summary lines on stderr
 * follow coreutils ("N+M records in/out", "B bytes copied"). */
#include "cmds.h"

int dd_main(int argc, char **argv)
{
	const char *inf = NULL, *outf = NULL;
	long ibs = 512, obs = 512, count = -1, skip = 0, seek = 0;
	int notrunc = 0, csync = 0, quiet = 0;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i], *v = strchr(a, '=');
		long n;
		if (!v) {
			warn("unrecognized operand '%s'", a);
			return 1;
		}
		*v++ = 0;
		if (!strcmp(a, "if")) inf = v;
		else if (!strcmp(a, "of")) outf = v;
		else if (!strcmp(a, "conv") || !strcmp(a, "status")) {
			for (char *t = v; t && *t;) {
				char *c = strchr(t, ',');
				if (c)
					*c++ = 0;
				if (!strcmp(t, "notrunc")) notrunc = 1;
				else if (!strcmp(t, "sync")) csync = 1;
				else if (!strcmp(t, "none") || !strcmp(t, "noxfer")) quiet = t[2] == 'n' ? 2 : 1;
				else if (strcmp(t, "noerror")) {
					warn("invalid %s: '%s'", a, t);
					return 1;
				}
				t = c;
			}
		} else if (parse_size(v, &n) < 0) {
			warn("invalid number: '%s'", v);
			return 1;
		} else if (!strcmp(a, "bs")) ibs = obs = n;
		else if (!strcmp(a, "ibs")) ibs = n;
		else if (!strcmp(a, "obs")) obs = n;
		else if (!strcmp(a, "count")) count = n;
		else if (!strcmp(a, "skip")) skip = n;
		else if (!strcmp(a, "seek")) seek = n;
		else {
			warn("unrecognized operand '%s'", a);
			return 1;
		}
		if ((!strcmp(a, "bs") || !strcmp(a, "ibs") || !strcmp(a, "obs")) && n <= 0) {
			warn("invalid number: '%s'", v);
			return 1;
		}
	}
	int in = 0, out = 1;
	if (inf && (in = open(inf, O_RDONLY)) < 0) {
		warn("failed to open '%s': %s", inf, strerror(errno));
		return 1;
	}
	if (outf && (out = open(outf, O_WRONLY | O_CREAT | (seek || notrunc ? 0 : O_TRUNC), 0666)) < 0) {
		warn("failed to open '%s': %s", outf, strerror(errno));
		return 1;
	}
	if (outf && seek && !notrunc) {
		struct stat st;
		if (fstat(out, &st) == 0 && S_ISREG(st.st_mode) && ftruncate(out, seek * obs) < 0) {
			warn("failed to truncate to %ld bytes in output file '%s': %s", seek * obs, outf,
			     strerror(errno));
			return 1;
		}
	}
	char *buf = malloc(ibs > obs ? ibs : obs);
	if (!buf) {
		warn("memory exhausted");
		return 1;
	}
	if (skip && lseek(in, skip * ibs, SEEK_CUR) < 0) {
		for (long k = 0; k < skip; k++) {	/* not seekable: read and drop */
			ssize_t r = read(in, buf, ibs);
			if (r <= 0)
				break;
		}
	}
	if (seek && lseek(out, seek * obs, SEEK_CUR) < 0) {
		warn("%s: cannot seek: %s", outf ? outf : "standard output", strerror(errno));
		return 1;
	}
	long fin = 0, pin = 0, fout = 0, pout = 0, bytes = 0, t0 = monotonic_ms();
	int rc = 0;
	/* one read per input block; the data read is written in obs-sized pieces */
	while (count < 0 || fin + pin < count) {
		ssize_t r = read(in, buf, ibs);
		if (r < 0) {
			warn("error reading '%s': %s", inf ? inf : "standard input", strerror(errno));
			rc = 1;
			break;
		}
		if (r == 0)
			break;
		if (r == ibs)
			fin++;
		else
			pin++;
		if (r < ibs && csync) {
			memset(buf + r, 0, ibs - r);
			r = ibs;
		}
		for (ssize_t off = 0; off < r;) {
			ssize_t chunk = r - off < obs ? r - off : obs;
			if (writeall(out, buf + off, chunk) < 0) {
				warn("error writing '%s': %s", outf ? outf : "standard output", strerror(errno));
				rc = 1;
				goto done;
			}
			if (chunk == obs)
				fout++;
			else
				pout++;
			off += chunk, bytes += chunk;
		}
	}
done:
	if (outf && close(out) < 0) {
		warn("closing output file '%s': %s", outf, strerror(errno));
		rc = 1;
	}
	if (quiet < 2) {
		fprintf(stderr, "%ld+%ld records in\n%ld+%ld records out\n", fin, pin, fout, pout);
		if (!quiet) {
			long ms = monotonic_ms() - t0;
			fprintf(stderr, "%ld bytes copied, %ld.%03ld s\n", bytes, ms / 1000, ms % 1000);
		}
	}
	return rc;
}
