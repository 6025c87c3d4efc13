/*
 * json_write.c — see json_write.h.
 */
#include "json_write.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for n more bytes and the NUL, grown as bson_string_append grows it
 * (to a power of two). */
void
json_write_reserve(bson_string_t *out, size_t n)
{
	size_t want;

	if ((size_t)out->alloc - out->len - 1 >= n)
		return;
	want = (size_t)out->len + n + 1;
	if (n > ((size_t)1 << 31) || want > ((size_t)1 << 31)) {
		fprintf(stderr, "json_write: string too long\n");
		abort();
	}
	out->alloc = (uint32_t)bson_next_power_of_two(want);
	out->str = bson_realloc(out->str, out->alloc);
}

bson_string_t *
json_write_new(size_t n)
{
	bson_string_t *out = bson_malloc0(sizeof(*out));

	if (n >= ((size_t)1 << 31)) {
		fprintf(stderr, "json_write: string too long\n");
		abort();
	}
	out->alloc = (uint32_t)bson_next_power_of_two(n + 1);
	out->str = bson_malloc(out->alloc);
	out->str[0] = '\0';
	return out;
}

char *
json_write_extend(bson_string_t *out, size_t n)
{
	char *at;

	json_write_reserve(out, n);
	at = out->str + out->len;
	out->len += (uint32_t)n;
	out->str[out->len] = '\0';
	return at;
}

void
json_write_raw(bson_string_t *out, const char *s, size_t n)
{
	/* one copy: bson_string_append_printf("%.*s") per run, then a byte-wise
	 * loop, cost most of a cookie-cache get-session */
	if (n > 0)
		memcpy(json_write_extend(out, n), s, n);
}

const unsigned char *
json_write_escapes(void)
{
	static unsigned char table[256];
	static bool filled;
	int c;

	if (!filled) {
		for (c = 0; c < 0x20; c++)
			table[c] = 1;
		table['"'] = table['\\'] = 1;
		filled = true;
	}
	return table;
}

void
json_write_string(bson_string_t *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *escape = json_write_escapes();
	size_t i, run = 0;

	bson_string_append_c(out, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[7];

		if (!escape[c])
			continue;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			memcpy(u, "\\u00", 4);
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			u[6] = '\0';
			esc = u;
		}
		if (i > run)
			json_write_raw(out, s + run, i - run);
		bson_string_append(out, esc);
		run = i + 1;
	}
	if (n > run)
		json_write_raw(out, s + run, n - run);
	bson_string_append_c(out, '"');
}

/* Writes v as at least width decimal digits (zero-padded), backwards from
 * end; returns the first character written. */
static char *
json_write_digits(char *end, uint64_t v, int width)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (--width > 0 || v);
	return end;
}

void
json_write_date(bson_string_t *out, int64_t ms)
{
	/* Date.prototype.toISOString: years 0..9999 as four digits, the rest of
	 * the Date range (±8.64e15 ms) as a sign and six digits. Beyond that
	 * range JavaScript has no date (JSON.stringify writes null); we keep
	 * what this writer always printed there, the year as printf's %04d. */
	const int64_t range = 8640000000000000LL;
	int64_t days = ms / 86400000, rem = ms % 86400000, z, era, doe, yoe, doy, mp, y;
	uint64_t ay;
	int m, d;
	char buf[48], *end = buf + sizeof(buf), *p;

	if (rem < 0)
		days--, rem += 86400000;
	/* civil_from_days (H. Hinnant): days since 1970-01-01 to y-m-d in the
	 * proleptic Gregorian calendar, in 400-year eras of 146097 days. */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (int)(doy - (153 * mp + 2) / 5 + 1);
	m = (int)(mp < 10 ? mp + 3 : mp - 9);
	y = yoe + era * 400 + (m <= 2);

	p = end;
	*--p = '"';
	*--p = 'Z';
	p = json_write_digits(p, (uint64_t)(rem % 1000), 3);
	*--p = '.';
	p = json_write_digits(p, (uint64_t)(rem / 1000 % 60), 2);
	*--p = ':';
	p = json_write_digits(p, (uint64_t)(rem / 60000 % 60), 2);
	*--p = ':';
	p = json_write_digits(p, (uint64_t)(rem / 3600000), 2);
	*--p = 'T';
	p = json_write_digits(p, (uint64_t)d, 2);
	*--p = '-';
	p = json_write_digits(p, (uint64_t)m, 2);
	*--p = '-';
	ay = y < 0 ? (uint64_t)0 - (uint64_t)y : (uint64_t)y;
	if (ms < -range || ms > range) {
		p = json_write_digits(p, ay, y < 0 ? 3 : 4);
		if (y < 0)
			*--p = '-';
	} else if (y >= 0 && y <= 9999) {
		p = json_write_digits(p, ay, 4);
	} else {
		p = json_write_digits(p, ay, 6);
		*--p = y < 0 ? '-' : '+';
	}
	*--p = '"';
	json_write_raw(out, p, (size_t)(end - p));
}

/* The shortest decimal digits that read back as v (v > 0, finite), as
 * ECMAScript's Number::toString picks them: the fewest digits, and of those
 * the closest to v. Writes the digits (no trailing zeros) to d and returns n
 * such that v = 0.d1d2… × 10^n. */
static int
json_shortest_digits(double v, char d[24])
{
	char buf[48];
	int prec, exp10 = 0, i;
	unsigned long long s = 0, cand[3];
	size_t k;

	/* 17 digits always read back, so the loop ends with a match. */
	for (prec = 0; prec <= 16; prec++) {
		char *m, *e;

		/* The correctly rounded prec+1 digits: "d.ddde±x". */
		snprintf(buf, sizeof(buf), "%.*e", prec, v);
		e = strchr(buf, 'e');
		exp10 = atoi(e + 1) - prec;
		s = 0;
		for (m = buf; m < e; m++)
			if (*m >= '0' && *m <= '9')
				s = s * 10 + (unsigned long long)(*m - '0');
		/* At a binade's lower edge the round-trip interval is lopsided:
		 * the nearest candidate may miss while a neighbour reads back
		 * (both neighbours cannot, or the nearest would too). */
		cand[0] = s, cand[1] = s - 1, cand[2] = s + 1;
		for (i = 0; i < 3; i++) {
			snprintf(buf, sizeof(buf), "%llue%d", cand[i], exp10);
			if (cand[i] && strtod(buf, NULL) == v)
				break;
		}
		if (i < 3) {
			s = cand[i];
			break;
		}
	}
	snprintf(d, 24, "%llu", s);
	k = strlen(d);
	while (k > 1 && d[k - 1] == '0')
		d[--k] = '\0', exp10++;
	return (int)k + exp10;
}

void
json_write_number(bson_string_t *out, double v)
{
	char d[24];
	int n, k;

	if (!isfinite(v)) {
		bson_string_append(out, "null");
		return;
	}
	if (v == 0) { /* -0 too */
		bson_string_append_c(out, '0');
		return;
	}
	if (v == floor(v) && fabs(v) < 9007199254740992.0) {
		bson_string_append_printf(out, "%lld", (long long)v);
		return;
	}
	/* Number.prototype.toString: shortest round-trip digits, decimal
	 * notation for 1e-7 < |v| < 1e21, exponential otherwise. */
	if (v < 0) {
		bson_string_append_c(out, '-');
		v = -v;
	}
	n = json_shortest_digits(v, d);
	k = (int)strlen(d);
	if (k <= n && n <= 21) {
		bson_string_append(out, d);
		for (; n > k; n--)
			bson_string_append_c(out, '0');
	} else if (0 < n && n <= 21) {
		bson_string_append_printf(out, "%.*s.%s", n, d, d + n);
	} else if (-6 < n && n <= 0) {
		bson_string_append(out, "0.");
		for (; n < 0; n++)
			bson_string_append_c(out, '0');
		bson_string_append(out, d);
	} else {
		bson_string_append_c(out, d[0]);
		if (k > 1)
			bson_string_append_printf(out, ".%s", d + 1);
		bson_string_append_printf(out, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
	}
}

void
json_write_key(bson_string_t *out, const char *key, bool first)
{
	if (!first)
		bson_string_append_c(out, ',');
	json_write_string(out, key, strlen(key));
	bson_string_append_c(out, ':');
}

void
json_write_value(bson_string_t *out, const bson_iter_t *it)
{
	bson_iter_t child;
	uint32_t len;
	const char *s;
	char hex[25];
	bool first = true, is_array;

	switch (bson_iter_type(it)) {
	case BSON_TYPE_UTF8:
		s = bson_iter_utf8(it, &len);
		json_write_string(out, s, len);
		break;
	case BSON_TYPE_DOUBLE: json_write_number(out, bson_iter_double(it)); break;
	case BSON_TYPE_INT32: bson_string_append_printf(out, "%d", bson_iter_int32(it)); break;
	case BSON_TYPE_INT64:
		bson_string_append_printf(out, "%lld", (long long)bson_iter_int64(it));
		break;
	case BSON_TYPE_BOOL: bson_string_append(out, bson_iter_bool(it) ? "true" : "false"); break;
	case BSON_TYPE_DATE_TIME: json_write_date(out, bson_iter_date_time(it)); break;
	case BSON_TYPE_OID:
		bson_oid_to_string(bson_iter_oid(it), hex);
		json_write_string(out, hex, 24);
		break;
	case BSON_TYPE_DOCUMENT:
	case BSON_TYPE_ARRAY:
		is_array = bson_iter_type(it) == BSON_TYPE_ARRAY;
		bson_string_append_c(out, is_array ? '[' : '{');
		if (bson_iter_recurse(it, &child))
			while (bson_iter_next(&child)) {
				if (is_array && !first)
					bson_string_append_c(out, ',');
				else if (!is_array)
					json_write_key(out, bson_iter_key(&child), first);
				json_write_value(out, &child);
				first = false;
			}
		bson_string_append_c(out, is_array ? ']' : '}');
		break;
	default: bson_string_append(out, "null");
	}
}
