/*
 * fake_db.c — see fake_db.h. Linked instead of lib/db.o: it defines every
 * function db.h declares (a missing one would pull db.o out of the archive
 * and fail the link on duplicate symbols, which is the point).
 */
#include "fake_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fake_db_coll {
	bson_t **docs;
	size_t n, cap;
};

static struct fake_db_coll fake_db_colls[DB__COUNT], fake_db_saved[DB__COUNT];

#define FAKE_DB_FAULTS 4

static struct fake_db_fault {
	bool armed;
	enum fake_db_op op;
	enum db_collection c;
	unsigned nth, seen;
	enum db_status st;
} fake_db_faults[FAKE_DB_FAULTS];
static bool fake_db_fired;

static struct {
	enum fake_db_op op;
	enum db_collection c;
} * fake_db_log;
static size_t fake_db_log_n, fake_db_log_cap;

/* The unique indexes of schema/ (and _id, everywhere). */
static const struct {
	enum db_collection c;
	const char *field;
} fake_db_unique[] = {
	{DB_USER, "email"},      {DB_SESSION, "token"},  {DB_APP_USERS, "betterAuthUserId"},
	{DB_PROFILES, "userId"}, {DB_RATE_LIMIT, "key"},
};

static const char *const fake_db_op_names[] = {
	[FAKE_DB_ANY] = "any",
	[FAKE_DB_FIND_ONE] = "find_one",
	[FAKE_DB_INSERT] = "insert",
	[FAKE_DB_UPDATE] = "update_one",
	[FAKE_DB_FIND_AND_MODIFY] = "find_and_modify",
	[FAKE_DB_DELETE] = "delete",
	[FAKE_DB_FIND_FIRST] = "find_first",
	[FAKE_DB_FIND_ONE_AND_DELETE] = "find_one_and_delete",
	[FAKE_DB_FIND_MANY] = "find_many",
	[FAKE_DB_PING] = "ping",
};

const char *
fake_db_op_name(enum fake_db_op op)
{
	return fake_db_op_names[op];
}

static void
fake_db_unsupported(const char *what, const char *key)
{
	fprintf(stderr, "fake_db: unsupported %s \"%s\": extend tests/unit/fake_db.c\n", what, key);
	abort();
}

/* ---- the fault knob and the call log */

void
fake_db_fail(enum fake_db_op op, enum db_collection c, unsigned nth, enum db_status st)
{
	size_t i;

	for (i = 0; i < FAKE_DB_FAULTS && fake_db_faults[i].armed; i++)
		;
	if (i == FAKE_DB_FAULTS)
		fake_db_unsupported("number of armed faults", "fake_db_fail");
	fake_db_faults[i] = (struct fake_db_fault){true, op, c, nth, 0, st};
}

bool
fake_db_fault_fired(void)
{
	return fake_db_fired;
}

size_t
fake_db_calls(void)
{
	return fake_db_log_n;
}

void
fake_db_call(size_t i, enum fake_db_op *op, enum db_collection *c)
{
	*op = i < fake_db_log_n ? fake_db_log[i].op : FAKE_DB_ANY;
	*c = i < fake_db_log_n ? fake_db_log[i].c : DB__COUNT;
}

void
fake_db_log_clear(void)
{
	fake_db_log_n = 0;
}

/* Logs the call; true with *st when the armed fault takes it. */
static bool
fake_db_faulted(enum fake_db_op op, enum db_collection c, enum db_status *st)
{
	size_t i;

	if (fake_db_log_n == fake_db_log_cap) {
		fake_db_log_cap = fake_db_log_cap ? 2 * fake_db_log_cap : 64;
		fake_db_log = realloc(fake_db_log, fake_db_log_cap * sizeof(*fake_db_log));
		if (!fake_db_log)
			abort();
	}
	fake_db_log[fake_db_log_n].op = op;
	fake_db_log[fake_db_log_n++].c = c;
	for (i = 0; i < FAKE_DB_FAULTS; i++) {
		struct fake_db_fault *f = &fake_db_faults[i];

		if (!f->armed || (f->op != FAKE_DB_ANY && f->op != op) ||
		    (f->c != DB__COUNT && f->c != c))
			continue;
		if (f->nth != 0 && ++f->seen != f->nth)
			continue;
		if (f->nth != 0)
			f->armed = false;
		fake_db_fired = true;
		*st = f->st;
		return true;
	}
	return false;
}

/* ---- values and filters */

/* -1, 0, 1; 2 when a and b are of kinds that do not compare. */
static int
fake_db_cmp(const bson_iter_t *a, const bson_iter_t *b)
{
	bson_type_t ta = bson_iter_type(a), tb = bson_iter_type(b);
	bool na = ta == BSON_TYPE_INT32 || ta == BSON_TYPE_INT64 || ta == BSON_TYPE_DOUBLE;
	bool nb = tb == BSON_TYPE_INT32 || tb == BSON_TYPE_INT64 || tb == BSON_TYPE_DOUBLE;
	uint32_t la, lb;
	const char *sa, *sb;
	const uint8_t *da, *db;
	int r;

	if (na && nb) {
		double x = bson_iter_as_double(a), y = bson_iter_as_double(b);

		return x < y ? -1 : x > y;
	}
	if (ta != tb)
		return 2;
	switch (ta) {
	case BSON_TYPE_UTF8:
		sa = bson_iter_utf8(a, &la);
		sb = bson_iter_utf8(b, &lb);
		r = memcmp(sa, sb, la < lb ? la : lb);
		return r ? (r > 0) - (r < 0) : (la > lb) - (la < lb);
	case BSON_TYPE_OID:
		r = bson_oid_compare(bson_iter_oid(a), bson_iter_oid(b));
		return (r > 0) - (r < 0);
	case BSON_TYPE_DATE_TIME: {
		int64_t x = bson_iter_date_time(a), y = bson_iter_date_time(b);

		return x < y ? -1 : x > y;
	}
	case BSON_TYPE_BOOL: return (int)bson_iter_bool(a) - (int)bson_iter_bool(b);
	case BSON_TYPE_NULL: return 0;
	case BSON_TYPE_DOCUMENT:
	case BSON_TYPE_ARRAY:
		if (ta == BSON_TYPE_DOCUMENT) {
			bson_iter_document(a, &la, &da);
			bson_iter_document(b, &lb, &db);
		} else {
			bson_iter_array(a, &la, &da);
			bson_iter_array(b, &lb, &db);
		}
		return la == lb && !memcmp(da, db, la) ? 0 : 2;
	default: fake_db_unsupported("value type in a comparison", bson_iter_key(a)); return 2;
	}
}

/* True if it (a document) is {$op: …, …}. */
static bool
fake_db_is_operator_doc(const bson_iter_t *it)
{
	bson_iter_t sub;

	return BSON_ITER_HOLDS_DOCUMENT(it) && bson_iter_recurse(it, &sub) &&
	       bson_iter_next(&sub) && bson_iter_key(&sub)[0] == '$';
}

static bool fake_db_match(const bson_t *doc, const bson_t *filter);

/* The field (has: present, v its value) against {$op: arg, …}. */
static bool
fake_db_match_ops(bool has, const bson_iter_t *v, const bson_iter_t *ops)
{
	bson_iter_t op, in;
	int c;

	bson_iter_recurse(ops, &op);
	while (bson_iter_next(&op)) {
		const char *name = bson_iter_key(&op);

		c = has ? fake_db_cmp(v, &op) : 2;
		if (!strcmp(name, "$gt")) {
			if (c == 2 || c <= 0)
				return false;
		} else if (!strcmp(name, "$gte")) {
			if (c == 2 || c < 0)
				return false;
		} else if (!strcmp(name, "$lt")) {
			if (c == 2 || c >= 0)
				return false;
		} else if (!strcmp(name, "$lte")) {
			if (c == 2 || c > 0)
				return false;
		} else if (!strcmp(name, "$ne")) {
			if (c == 0)
				return false;
		} else if (!strcmp(name, "$exists")) {
			if (has != bson_iter_as_bool(&op))
				return false;
		} else if (!strcmp(name, "$in")) {
			bool any = false;

			if (!BSON_ITER_HOLDS_ARRAY(&op) || !bson_iter_recurse(&op, &in))
				fake_db_unsupported("$in argument", name);
			while (!any && bson_iter_next(&in))
				any = has && fake_db_cmp(v, &in) == 0;
			if (!any)
				return false;
		} else {
			fake_db_unsupported("filter operator", name);
		}
	}
	return true;
}

static bool
fake_db_match(const bson_t *doc, const bson_t *filter)
{
	bson_iter_t f, v, arr;
	uint32_t len;
	const uint8_t *data;

	if (!filter || !bson_iter_init(&f, filter))
		return true;
	while (bson_iter_next(&f)) {
		const char *key = bson_iter_key(&f);
		bool has;

		if (!strcmp(key, "$and")) {
			if (!BSON_ITER_HOLDS_ARRAY(&f) || !bson_iter_recurse(&f, &arr))
				fake_db_unsupported("$and argument", key);
			while (bson_iter_next(&arr)) {
				bson_t sub;

				if (!BSON_ITER_HOLDS_DOCUMENT(&arr))
					fake_db_unsupported("$and element", key);
				bson_iter_document(&arr, &len, &data);
				if (!bson_init_static(&sub, data, len) || !fake_db_match(doc, &sub))
					return false;
			}
			continue;
		}
		if (key[0] == '$')
			fake_db_unsupported("filter operator", key);
		if (strchr(key, '.'))
			fake_db_unsupported("dotted filter field", key);
		has = bson_iter_init_find(&v, doc, key);
		if (fake_db_is_operator_doc(&f)) {
			if (!fake_db_match_ops(has, &v, &f))
				return false;
		} else if (BSON_ITER_HOLDS_NULL(&f)) {
			if (has && !BSON_ITER_HOLDS_NULL(&v)) /* {f: null}: null or missing */
				return false;
		} else if (!has || fake_db_cmp(&v, &f) != 0) {
			return false;
		}
	}
	return true;
}

/* ---- documents */

static void
fake_db_remove_at(struct fake_db_coll *coll, size_t i)
{
	bson_destroy(coll->docs[i]);
	memmove(coll->docs + i, coll->docs + i + 1, (coll->n - i - 1) * sizeof(*coll->docs));
	coll->n--;
}

/* True if doc would break one of c's unique indexes (skip: its own row). */
static bool
fake_db_violates(enum db_collection c, const bson_t *doc, size_t skip)
{
	const struct fake_db_coll *coll = &fake_db_colls[c];
	size_t u, i;
	bson_iter_t a, b;

	for (u = 0; u <= sizeof(fake_db_unique) / sizeof(fake_db_unique[0]); u++) {
		const char *field = u == 0 ? "_id" : fake_db_unique[u - 1].field;

		if (u > 0 && fake_db_unique[u - 1].c != c)
			continue;
		if (!bson_iter_init_find(&a, doc, field))
			continue;
		for (i = 0; i < coll->n; i++)
			if (i != skip && bson_iter_init_find(&b, coll->docs[i], field) &&
			    fake_db_cmp(&a, &b) == 0)
				return true;
	}
	return false;
}

/* Inserts a copy of doc (an _id added first when it has none). */
static enum db_status
fake_db_add(enum db_collection c, const bson_t *doc)
{
	struct fake_db_coll *coll = &fake_db_colls[c];
	bson_t *copy;

	if (bson_has_field(doc, "_id")) {
		copy = bson_copy(doc);
	} else {
		bson_oid_t id;

		bson_oid_init(&id, NULL);
		copy = bson_new();
		BSON_APPEND_OID(copy, "_id", &id);
		bson_concat(copy, doc);
	}
	if (fake_db_violates(c, copy, (size_t)-1)) {
		bson_destroy(copy);
		return DB_DUPLICATE;
	}
	if (coll->n == coll->cap) {
		coll->cap = coll->cap ? 2 * coll->cap : 16;
		coll->docs = realloc(coll->docs, coll->cap * sizeof(*coll->docs));
		if (!coll->docs)
			abort();
	}
	coll->docs[coll->n++] = copy;
	return DB_OK;
}

/* The value of key in the update's $set (or $setOnInsert when inserting). */
static bool
fake_db_find_set(const bson_t *update, bool inserting, const char *key, bson_iter_t *out)
{
	bson_iter_t it;

	if (bson_iter_init_find(&it, update, "$set") && bson_iter_recurse(&it, out) &&
	    bson_iter_find(out, key))
		return true;
	return inserting && bson_iter_init_find(&it, update, "$setOnInsert") &&
	       bson_iter_recurse(&it, out) && bson_iter_find(out, key);
}

/* old after update ($set, $setOnInsert when inserting, $unset; or a
 * replacement that keeps _id): a new document. */
static bson_t *
fake_db_apply(const bson_t *old, const bson_t *update, bool inserting)
{
	bson_t *doc = bson_new();
	bson_iter_t it, set, unset, sub;

	bson_iter_init(&it, update);
	if (!bson_iter_next(&it) || bson_iter_key(&it)[0] != '$') {
		if (bson_iter_init_find(&it, old, "_id"))
			bson_append_iter(doc, "_id", -1, &it);
		bson_concat(doc, update);
		return doc;
	}
	bson_iter_init(&it, update);
	while (bson_iter_next(&it)) {
		const char *op = bson_iter_key(&it);

		if (strcmp(op, "$set") && strcmp(op, "$setOnInsert") && strcmp(op, "$unset"))
			fake_db_unsupported("update operator", op);
		bson_iter_recurse(&it, &sub);
		while (bson_iter_next(&sub))
			if (strchr(bson_iter_key(&sub), '.'))
				fake_db_unsupported("dotted update field", bson_iter_key(&sub));
	}
	/* Fields in place; then the new ones, in the update's order. */
	bson_iter_init(&it, old);
	while (bson_iter_next(&it)) {
		const char *key = bson_iter_key(&it);

		if (fake_db_find_set(update, inserting, key, &set))
			bson_append_iter(doc, key, -1, &set);
		else if (!(bson_iter_init_find(&unset, update, "$unset") &&
		           bson_iter_recurse(&unset, &sub) && bson_iter_find(&sub, key)))
			bson_append_iter(doc, key, -1, &it);
	}
	bson_iter_init(&it, update);
	while (bson_iter_next(&it)) {
		const char *op = bson_iter_key(&it);

		if (!strcmp(op, "$unset") || (!inserting && !strcmp(op, "$setOnInsert")))
			continue;
		bson_iter_recurse(&it, &sub);
		while (bson_iter_next(&sub))
			if (!bson_has_field(doc, bson_iter_key(&sub)))
				bson_append_iter(doc, bson_iter_key(&sub), -1, &sub);
	}
	return doc;
}

/* An upsert's new document: _id, the filter's equality fields, the update. */
static bson_t *
fake_db_upsert_doc(const bson_t *filter, const bson_t *update)
{
	bson_t *base = bson_new(), *doc;
	bson_iter_t it;
	bson_oid_t id;

	if (!bson_iter_init_find(&it, filter, "_id")) {
		bson_oid_init(&id, NULL);
		BSON_APPEND_OID(base, "_id", &id);
	}
	bson_iter_init(&it, filter);
	while (bson_iter_next(&it))
		if (bson_iter_key(&it)[0] != '$' && !fake_db_is_operator_doc(&it))
			bson_append_iter(base, bson_iter_key(&it), -1, &it);
	doc = fake_db_apply(base, update, true);
	bson_destroy(base);
	return doc;
}

/* The index of the first document of c matching filter, or -1. */
static long
fake_db_first(enum db_collection c, const bson_t *filter)
{
	size_t i;

	for (i = 0; i < fake_db_colls[c].n; i++)
		if (fake_db_match(fake_db_colls[c].docs[i], filter))
			return (long)i;
	return -1;
}

/* Replaces row i of c by update applied to it. */
static enum db_status
fake_db_update_at(enum db_collection c, size_t i, const bson_t *update)
{
	bson_t *doc = fake_db_apply(fake_db_colls[c].docs[i], update, false);

	if (fake_db_violates(c, doc, i)) {
		bson_destroy(doc);
		return DB_DUPLICATE;
	}
	bson_destroy(fake_db_colls[c].docs[i]);
	fake_db_colls[c].docs[i] = doc;
	return DB_OK;
}

static void fake_db_clear(struct fake_db_coll *coll);

void
fake_db_reset(void)
{
	size_t c;

	for (c = 0; c < DB__COUNT; c++)
		fake_db_clear(&fake_db_colls[c]);
	memset(fake_db_faults, 0, sizeof(fake_db_faults));
	fake_db_fired = false;
	free(fake_db_log);
	fake_db_log = NULL;
	fake_db_log_n = fake_db_log_cap = 0;
}

/* Empties coll. */
static void
fake_db_clear(struct fake_db_coll *coll)
{
	while (coll->n)
		fake_db_remove_at(coll, coll->n - 1);
	free(coll->docs);
	memset(coll, 0, sizeof(*coll));
}

/* to = a copy of from. */
static void
fake_db_copy(struct fake_db_coll *to, const struct fake_db_coll *from)
{
	size_t i;

	fake_db_clear(to);
	to->cap = to->n = from->n;
	to->docs = calloc(from->n ? from->n : 1, sizeof(*to->docs));
	if (!to->docs)
		abort();
	for (i = 0; i < from->n; i++)
		to->docs[i] = bson_copy(from->docs[i]);
}

void
fake_db_save(void)
{
	size_t c;

	for (c = 0; c < DB__COUNT; c++)
		fake_db_copy(&fake_db_saved[c], &fake_db_colls[c]);
}

void
fake_db_restore(void)
{
	size_t c;

	fake_db_reset();
	for (c = 0; c < DB__COUNT; c++)
		fake_db_copy(&fake_db_colls[c], &fake_db_saved[c]);
}

size_t
fake_db_count(enum db_collection c, const bson_t *filter)
{
	size_t i, n = 0;

	for (i = 0; i < fake_db_colls[c].n; i++)
		n += fake_db_match(fake_db_colls[c].docs[i], filter);
	return n;
}

/* ---- db.h */

bool
db_open(const struct config *cfg, char *err, size_t errlen)
{
	(void)cfg;
	if (errlen)
		err[0] = '\0';
	return true;
}

void
db_close(void)
{
	fake_db_reset();
}

bool
db_check_indexes(void (*missing)(const char *collection, const char *index, void *arg), void *arg)
{
	(void)missing; /* the fake enforces the unique indexes itself */
	(void)arg;
	return true;
}

mongoc_collection_t *
db_collection(enum db_collection c)
{
	(void)c;
	fake_db_unsupported("direct collection access", "db_collection");
	return NULL;
}

enum db_status
db_status_of(const bson_error_t *error, const char *what)
{
	(void)error;
	(void)what;
	return DB_FAILED;
}

enum db_status
db_find_one(enum db_collection c, const bson_t *filter, bson_t **out)
{
	enum db_status st;
	long i;

	*out = NULL;
	if (fake_db_faulted(FAKE_DB_FIND_ONE, c, &st))
		return st;
	if ((i = fake_db_first(c, filter)) < 0)
		return DB_NOT_FOUND;
	*out = bson_copy(fake_db_colls[c].docs[i]);
	return DB_OK;
}

enum db_status
db_insert(enum db_collection c, const bson_t *doc)
{
	enum db_status st;

	if (fake_db_faulted(FAKE_DB_INSERT, c, &st))
		return st;
	return fake_db_add(c, doc);
}

enum db_status
db_update_one(enum db_collection c, const bson_t *filter, const bson_t *update)
{
	enum db_status st;
	long i;

	if (fake_db_faulted(FAKE_DB_UPDATE, c, &st))
		return st;
	if ((i = fake_db_first(c, filter)) < 0)
		return DB_NOT_FOUND;
	return fake_db_update_at(c, (size_t)i, update);
}

enum db_status
db_find_and_modify(enum db_collection c, const bson_t *filter, const bson_t *update, bool upsert,
                   bson_t **out)
{
	enum db_status st;
	bson_t *doc;
	long i;

	*out = NULL;
	if (fake_db_faulted(FAKE_DB_FIND_AND_MODIFY, c, &st))
		return st;
	if ((i = fake_db_first(c, filter)) >= 0) {
		if ((st = fake_db_update_at(c, (size_t)i, update)) == DB_OK)
			*out = bson_copy(fake_db_colls[c].docs[i]);
		return st;
	}
	if (!upsert)
		return DB_NOT_FOUND;
	doc = fake_db_upsert_doc(filter, update);
	if ((st = fake_db_add(c, doc)) == DB_OK)
		*out = doc;
	else
		bson_destroy(doc);
	return st;
}

enum db_status
db_delete(enum db_collection c, const bson_t *filter, bool many)
{
	struct fake_db_coll *coll = &fake_db_colls[c];
	enum db_status st;
	size_t i = 0, n = 0;

	if (fake_db_faulted(FAKE_DB_DELETE, c, &st))
		return st;
	while (i < coll->n && (many || n == 0)) {
		if (fake_db_match(coll->docs[i], filter)) {
			fake_db_remove_at(coll, i);
			n++;
		} else {
			i++;
		}
	}
	return n ? DB_OK : DB_NOT_FOUND;
}

enum db_status
db_find_first(enum db_collection c, const bson_t *filter, const bson_t *sort, bson_t **out)
{
	const struct fake_db_coll *coll = &fake_db_colls[c];
	bson_iter_t s, a, b;
	enum db_status st;
	long best = -1;
	size_t i;
	int dir = 1;

	*out = NULL;
	if (fake_db_faulted(FAKE_DB_FIND_FIRST, c, &st))
		return st;
	if (!sort || !bson_iter_init(&s, sort) || !bson_iter_next(&s))
		fake_db_unsupported("find_first without a sort", "sort");
	dir = bson_iter_as_int64(&s) < 0 ? -1 : 1;
	if (bson_iter_next(&s))
		fake_db_unsupported("sort on more than one field", bson_iter_key(&s));
	bson_iter_init(&s, sort);
	bson_iter_next(&s);
	for (i = 0; i < coll->n; i++) {
		bool ha, hb;

		if (!fake_db_match(coll->docs[i], filter))
			continue;
		if (best < 0) {
			best = (long)i;
			continue;
		}
		ha = bson_iter_init_find(&a, coll->docs[i], bson_iter_key(&s));
		hb = bson_iter_init_find(&b, coll->docs[best], bson_iter_key(&s));
		/* a missing field sorts first, as null does */
		if ((ha && hb && fake_db_cmp(&a, &b) * dir < 0) || (!ha && hb && dir > 0) ||
		    (ha && !hb && dir < 0))
			best = (long)i;
	}
	if (best < 0)
		return DB_NOT_FOUND;
	*out = bson_copy(coll->docs[best]);
	return DB_OK;
}

enum db_status
db_find_one_and_delete(enum db_collection c, const bson_t *filter, bson_t **out)
{
	enum db_status st;
	long i;

	*out = NULL;
	if (fake_db_faulted(FAKE_DB_FIND_ONE_AND_DELETE, c, &st))
		return st;
	if ((i = fake_db_first(c, filter)) < 0)
		return DB_NOT_FOUND;
	*out = bson_copy(fake_db_colls[c].docs[i]);
	fake_db_remove_at(&fake_db_colls[c], (size_t)i);
	return DB_OK;
}

enum db_status
db_find_many(enum db_collection c, const bson_t *filter, const bson_t *opts, size_t limit,
             bson_t ***out, size_t *n)
{
	const struct fake_db_coll *coll = &fake_db_colls[c];
	bson_t **list = NULL;
	bson_iter_t it;
	enum db_status st;
	size_t i, count = 0;

	*out = NULL;
	*n = 0;
	if (opts && bson_iter_init(&it, opts))
		while (bson_iter_next(&it))
			if (strcmp(bson_iter_key(&it), "projection")) /* whole rows are fine */
				fake_db_unsupported("find option", bson_iter_key(&it));
	if (fake_db_faulted(FAKE_DB_FIND_MANY, c, &st))
		return st;
	for (i = 0; i < coll->n && count < limit; i++) {
		if (!fake_db_match(coll->docs[i], filter))
			continue;
		list = bson_realloc(list, (count + 1) * sizeof(*list));
		list[count++] = bson_copy(coll->docs[i]);
	}
	*out = list;
	*n = count;
	return DB_OK;
}

void
db_list_free(bson_t **list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		bson_destroy(list[i]);
	bson_free(list);
}

enum db_status
db_ping(int timeout_ms)
{
	enum db_status st;

	(void)timeout_ms;
	if (fake_db_faulted(FAKE_DB_PING, DB__COUNT, &st))
		return st;
	return DB_OK;
}
