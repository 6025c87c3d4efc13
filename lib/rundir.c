/*
 * rundir.c — see rundir.h.
 */
#include "rundir.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool
rundir_private(char *buf, size_t n, const char *tmp_dir, const char *secret, size_t secret_len)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	char msg[128], boot[64] = "", tag[17];
	FILE *f;
	int len, i;
	bool ok = false;

	f = fopen("/proc/sys/kernel/random/boot_id", "re");
	if (f) {
		if (!fgets(boot, sizeof boot, f))
			boot[0] = '\0';
		fclose(f);
	}
	boot[strcspn(boot, "\n")] = '\0';
	/* (The tag is an HMAC of public values; the session cookies already
	 * show HMACs made with the secret.) */
	len = snprintf(msg, sizeof msg, "fcgi-auth hash slots %lu %s", (unsigned long)geteuid(),
	               boot);
	if (len < 0 || (size_t)len >= sizeof msg ||
	    !HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)msg, (size_t)len,
	          mac, &mac_len) ||
	    mac_len < 8)
		goto done;
	for (i = 0; i < 8; i++)
		snprintf(tag + 2 * i, 3, "%02x", mac[i]);
	len = snprintf(buf, n, "%s/fcgi-auth-%lu-%s", tmp_dir, (unsigned long)geteuid(), tag);
	ok = len > 0 && (size_t)len < n;
done:
	if (!ok && n)
		buf[0] = '\0';
	return ok;
}
