/* front.h — the nsjail-ts front end: runs a cached plan without starting the compiler, or hands over to it. */
#ifndef NSJAIL_TS_FRONT_H
#define NSJAIL_TS_FRONT_H

#include <stddef.h>
#include <stdint.h>

#include "helper.h"

#define SHA256_LEN 32

/* sha256.c */
struct sha256 {
	uint32_t h[8];
	uint64_t total;
	uint8_t buf[64];
	size_t used;
};
void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN]);
void sha256_hex(const uint8_t digest[SHA256_LEN], char hex[2 * SHA256_LEN + 1]);
int sha256_file(const char *path, char hex[2 * SHA256_LEN + 1]); /* -1 with errno when unreadable */

/* manifest.c: 0 when every record still holds; -1 with why[] saying what changed */
int manifest_check(const struct plan *p, const char *helper_id, const char *compiler_id, char *why, size_t why_len);

/* cache.c */
struct front_ids {
	char root[4096];     /* the package: the compiler is root/dist/cli/main.js */
	char helper[128];    /* this binary's version and identity */
	char compiler[128];  /* the compiler's version and identity */
};
int cache_ids(struct front_ids *ids);
int cache_dir(char *dir, size_t len, int *exists); /* -1 after a warning: do not cache */
int cache_key_path(const char *dir, const struct front_ids *ids, int argc, char **argv, char *path, size_t len);
int cache_open_plan(const char *path, char *why, size_t why_len);

/* front.c: invoked as "nsjail-ts": returns the fd of a plan to run, cached or just compiled by a child
 * (with *argv_override set for run-plan's `-- CMD`), or never returns (a subcommand's compiler was exec'd,
 * the compiler wrote no plan, or a usage error). */
int front_invoked(const char *argv0);
int front_main(int argc, char **argv, char ***argv_override);

#endif
