/* plan.c — parse the binary plan (format in plan.h) and check every length, kind and flag before anything runs. */
#include <stdlib.h>
#include <string.h>

#include "helper.h"

int plan_check_values(const struct plan *p, struct plan_err *pe);
int plan_check_order(const struct plan *p, struct plan_err *pe);

/* Item kinds after the origin: 's' str, 'u' u64, 'b' bytes; a trailing '*' allows any number of further str items. */
struct op_spec {
	const char *name;
	const char *items;
	uint16_t flags;
};

static const struct op_spec specs[OP_TYPE_MAX + 1] = {
	[OP_UNSHARE_USER] = { "unshare-user", "", 0 },
	[OP_SETGROUPS_DENY] = { "setgroups-deny", "", 0 },
	[OP_UID_MAP] = { "uid-map", "s", 0 },
	[OP_GID_MAP] = { "gid-map", "s", 0 },
	[OP_UNSHARE] = { "unshare", "u", 0 },
	[OP_FORK_PID_NS] = { "fork-pid-ns", "", FORK_DIE_WITH_PARENT },
	[OP_MOUNT_PRIVATE] = { "mount-private", "", 0 },
	[OP_ROOT_TMPFS] = { "root-tmpfs", "u", 0 },
	[OP_ROOT_DIR] = { "root-dir", "s", 0 },
	[OP_BIND] = { "bind", "ss", BIND_RW | BIND_TRY | BIND_DEV | BIND_NONRECURSIVE },
	[OP_TMPFS] = { "tmpfs", "suu", MNT_RO },
	[OP_PROC] = { "proc", "s", 0 },
	[OP_DEV] = { "dev", "s", 0 },
	[OP_MQUEUE] = { "mqueue", "s", 0 },
	[OP_DIR] = { "dir", "su", 0 },
	[OP_SYMLINK] = { "symlink", "ss", 0 },
	[OP_FILE] = { "file", "sbu", MNT_RO },
	[OP_REMOUNT_RO] = { "remount-ro", "s", 0 },
	[OP_PIVOT_ROOT] = { "pivot-root", "", 0 },
	[OP_HOSTNAME] = { "hostname", "s", 0 },
	[OP_LOOPBACK_UP] = { "loopback-up", "", 0 },
	[OP_SPAWN] = { "spawn", "", 0 },
	[OP_SETSID] = { "setsid", "", 0 },
	[OP_RLIMIT] = { "rlimit", "uuu", 0 },
	[OP_CHDIR] = { "chdir", "s", 0 },
	[OP_LOCK_MOUNTS] = { "lock-mounts", "", 0 },
	[OP_SET_IDS] = { "set-ids", "uu", 0 },
	[OP_CLOSE_FDS] = { "close-fds", "", 0 },
	[OP_CAPS] = { "caps", "u", 0 },
	[OP_NO_NEW_PRIVS] = { "no-new-privs", "", 0 },
	[OP_SECCOMP] = { "seccomp", "b", 0 },
	[OP_ENV] = { "env", "*", ENV_CLEAR },
	[OP_EXEC] = { "exec", "*", EXEC_AS_PID1 },
	[OP_OVERLAY] = { "overlay", "ssss*", OVERLAY_TMP | OVERLAY_RO },
	[OP_BIND_FD] = { "bind-fd", "us", BIND_RW | BIND_TRY | BIND_DEV | BIND_NONRECURSIVE },
	[OP_CHMOD] = { "chmod", "su", 0 },
	[OP_JOIN_CGROUP] = { "join-cgroup", "s", 0 },
	[OP_TIME_LIMIT] = { "time-limit", "uu", 0 },
	[OP_MANIFEST] = { "manifest", "*", 0 },
	[OP_CGROUP_REMOVE] = { "cgroup-remove", "ss", 0 },
	[OP_STATUS] = { "status", "us", STATUS_FD },
	[OP_NAME] = { "name", "ssb", 0 },
	[OP_JOIN_NS] = { "join-ns", "u", 0 },
	[OP_ARGV0] = { "argv0", "s", 0 },
	[OP_BLOCK_FD] = { "block-fd", "u", 0 },
	[OP_INFO_FD] = { "info-fd", "u", 0 },
	[OP_SYNC_FD] = { "sync-fd", "u", 0 },
	[OP_LOCK_FILE] = { "lock-file", "s", 0 },
	[OP_LEVEL_PREFIX] = { "level-prefix", "", 0 },
	[OP_DISABLE_USERNS] = { "disable-userns", "", 0 },
	[OP_ASSERT_NO_USERNS] = { "assert-no-userns", "", 0 },
	[OP_SETNS_USER] = { "setns-user", "u", 0 },
	[OP_SETNS_PID] = { "setns-pid", "u", 0 },
	[OP_USERNS2] = { "userns2", "u", 0 },
	[OP_USERNS_BLOCK_FD] = { "userns-block-fd", "u", 0 },
};

const char *op_name(unsigned type)
{
	return type >= 1 && type <= OP_TYPE_MAX ? specs[type].name : "unknown";
}

static uint32_t rd32(const uint8_t *b) { return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24; }
static uint16_t rd16(const uint8_t *b) { return (uint16_t)(b[0] | b[1] << 8); }
static uint64_t rd64(const uint8_t *b) { return (uint64_t)rd32(b) | (uint64_t)rd32(b + 4) << 32; }

static int check_header(const uint8_t *b, size_t len, struct plan_err *pe)
{
	if (len < PLAN_HEADER_LEN)
		return plan_err_set(pe, 0, "plan is %zu bytes, shorter than its %u-byte header", len, PLAN_HEADER_LEN);
	if (memcmp(b, PLAN_MAGIC, 8) != 0)
		return plan_err_set(pe, 0, "bad magic (not a plan)");
	if (rd32(b + 8) != PLAN_VERSION)
		return plan_err_set(pe, 8, "version %u, expected %u", rd32(b + 8), PLAN_VERSION);
	if (rd32(b + 12) != len)
		return plan_err_set(pe, 12, "header says %u bytes but the plan has %zu", rd32(b + 12), len);
	uint32_t count = rd32(b + 16);
	if (count > PLAN_MAX_OPS || count > (len - PLAN_HEADER_LEN) / PLAN_OP_HEADER_LEN)
		return plan_err_set(pe, 16, "op count %u does not fit in the plan", count);
	for (uint32_t off = 20; off < PLAN_HEADER_LEN; off += 4)
		if (rd32(b + off) != 0)
			return plan_err_set(pe, off, "reserved header field is %u, must be 0", rd32(b + off));
	return 0;
}

/* Command lines and environments may hold strings as long as the kernel allows; paths and names may not. */
static uint32_t max_str(unsigned type, uint32_t idx)
{
	return idx > 0 && (type == OP_ENV || type == OP_EXEC || type == OP_MANIFEST) ? PLAN_MAX_ARG : PLAN_MAX_STR;
}

static int item_kind_ok(const struct op *op, const struct item *it, char kind, uint32_t idx, struct plan_err *pe)
{
	if (kind == 'u' && it->len != 8)
		return plan_err_set(pe, it->offset, "item %u: number item of %u bytes, expected 8", idx, it->len);
	if (kind == 's' && it->len > max_str(op->type, idx))
		return plan_err_set(pe, it->offset, "item %u: string of %u bytes, longer than %u", idx, it->len,
		                    max_str(op->type, idx));
	if (kind == 's' && memchr(it->data, 0, it->len))
		return plan_err_set(pe, it->offset, "item %u: string contains a NUL byte", idx);
	if (kind == 'b' && it->len > PLAN_MAX_BYTES)
		return plan_err_set(pe, it->offset, "item %u: %u bytes, more than %u", idx, it->len, PLAN_MAX_BYTES);
	return 0;
}

/* Items of one op, against its spec; fills str copies and u64 values. */
static int check_items(struct op *op, struct plan_err *pe)
{
	const char *kinds = specs[op->type].items;
	size_t fixed = strcspn(kinds, "*");
	int open = kinds[fixed] == '*';
	if (op->n_items < 1)
		return plan_err_set(pe, op->offset, "%s op has no origin item", op_name(op->type));
	uint32_t own = op->n_items - 1;
	if (own < fixed || (!open && own != fixed))
		return plan_err_set(pe, op->offset, "%s op has %u items, expected %s%zu", op_name(op->type), own,
		                    open ? "at least " : "", fixed);
	for (uint32_t i = 0; i < op->n_items; i++) {
		struct item *it = &op->items[i];
		char kind = i == 0 ? 's' : (i - 1 < fixed ? kinds[i - 1] : 's');
		if (item_kind_ok(op, it, kind, i, pe) < 0)
			return -1;
		if (kind == 'u')
			it->u64 = rd64(it->data);
		if (kind == 's') {
			it->str = malloc((size_t)it->len + 1);
			if (!it->str)
				return plan_err_set(pe, it->offset, "out of memory");
			memcpy(it->str, it->data, it->len);
			it->str[it->len] = '\0';
		}
	}
	return 0;
}

/* Split one op's payload into items: every length, and the zero padding, stays inside the op. */
static int split_items(const uint8_t *b, uint32_t start, uint32_t end, struct op *op, struct plan_err *pe)
{
	uint32_t n = 0;
	for (int pass = 0; pass < 2; pass++) {
		uint32_t p = start;
		n = 0;
		while (p < end) {
			if (end - p < 4)
				return plan_err_set(pe, p, "item length runs past the end of its op");
			uint32_t len = rd32(b + p);
			uint64_t padded = ((uint64_t)len + 3) & ~(uint64_t)3;
			if (padded > (uint64_t)(end - p - 4))
				return plan_err_set(pe, p, "item of %u bytes runs past the end of its op", len);
			for (uint64_t q = p + 4 + (uint64_t)len; q < p + 4 + padded; q++)
				if (b[q] != 0)
					return plan_err_set(pe, (uint32_t)q, "non-zero padding byte");
			if (pass == 1)
				op->items[n] = (struct item){ .offset = p, .len = len, .data = b + p + 4 };
			if (++n > PLAN_MAX_ITEMS)
				return plan_err_set(pe, p, "more than %u items in one op", PLAN_MAX_ITEMS);
			p += 4 + (uint32_t)padded;
		}
		if (pass == 0) {
			op->items = calloc(n ? n : 1, sizeof *op->items);
			if (!op->items)
				return plan_err_set(pe, start, "out of memory");
		}
	}
	op->n_items = n;
	return 0;
}

static int parse_ops(struct plan *p, struct plan_err *pe)
{
	const uint8_t *b = p->bytes;
	uint32_t off = PLAN_HEADER_LEN;
	for (uint32_t i = 0; i < p->n_ops; i++) {
		struct op *op = &p->ops[i];
		if (p->len - off < PLAN_OP_HEADER_LEN)
			return plan_err_set(pe, off, "op %u header runs past the end of the plan", i);
		op->offset = off;
		op->type = rd16(b + off);
		op->flags = rd16(b + off + 2);
		uint32_t payload = rd32(b + off + 4);
		if (op->type < 1 || op->type > OP_TYPE_MAX)
			return plan_err_set(pe, off, "op %u has unknown type %u", i, op->type);
		if (op->flags & ~specs[op->type].flags)
			return plan_err_set(pe, off + 2, "%s op has unknown flag bits 0x%x", op_name(op->type),
			                    (unsigned)(op->flags & ~specs[op->type].flags));
		if (payload > p->len - off - PLAN_OP_HEADER_LEN)
			return plan_err_set(pe, off + 4, "%s op payload of %u bytes runs past the end of the plan",
			                    op_name(op->type), payload);
		uint32_t end = off + PLAN_OP_HEADER_LEN + payload;
		if (split_items(b, off + PLAN_OP_HEADER_LEN, end, op, pe) < 0 || check_items(op, pe) < 0)
			return -1;
		off = end;
	}
	if (off != p->len)
		return plan_err_set(pe, off, "%u trailing bytes after the last op", p->len - off);
	return 0;
}

/* Parse and validate a whole plan. On success *out owns a copy of the bytes; on failure pe says why. */
int plan_parse(const uint8_t *bytes, size_t len, struct plan *out, struct plan_err *pe)
{
	memset(out, 0, sizeof *out);
	if (len > PLAN_MAX_LEN)
		return plan_err_set(pe, 0, "plan of %zu bytes is larger than %u", len, PLAN_MAX_LEN);
	if (check_header(bytes, len, pe) < 0)
		return -1;
	out->len = (uint32_t)len;
	out->n_ops = rd32(bytes + 16);
	out->bytes = malloc(len);
	out->ops = calloc(out->n_ops ? out->n_ops : 1, sizeof *out->ops);
	if (!out->bytes || !out->ops) {
		plan_free(out);
		return plan_err_set(pe, 0, "out of memory");
	}
	memcpy(out->bytes, bytes, len);
	if (parse_ops(out, pe) < 0 || plan_check_values(out, pe) < 0 || plan_check_order(out, pe) < 0) {
		plan_free(out);
		return -1;
	}
	return 0;
}

void plan_free(struct plan *p)
{
	for (uint32_t i = 0; p->ops && i < p->n_ops; i++) {
		for (uint32_t j = 0; p->ops[i].items && j < p->ops[i].n_items; j++)
			free(p->ops[i].items[j].str);
		free(p->ops[i].items);
	}
	free(p->ops);
	free(p->bytes);
	memset(p, 0, sizeof *p);
}
