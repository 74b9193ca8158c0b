/*
 * Who is calling and what they may do: the bearer token of RFC 6750 is
 * hashed with SHA-256 and compared with every configured hash (hv.cfg
 * [token NAME], include/hv/mgmtcfg.h) without an early exit, so the time
 * taken says nothing about how close a guess was.  Rights are the union
 * of the grants naming the VM or "*".  Control and execute actions are
 * logged with the token's name, and under mutual TLS the subject of the
 * client's certificate.
 */
#include "api.h"

#include <backend/backend.h>

#include <lib/format.h>
#include <lib/sha256.h>
#include <lib/string.h>

#define AUDIT_DETAIL_MAX 96u

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* The token in "Bearer <token>" (scheme case-insensitive, RFC 7235); NULL if absent. */
static const char *bearer(const char *h, size_t *len)
{
	static const char scheme[] = "bearer";
	const char *t = NULL;
	size_t i = 0;

	while (i < 6 && lower(h[i]) == scheme[i])
		i++;
	if (i == 6 && h[6] == ' ') {
		t = h + 7;
		while (*t == ' ')
			t++;
		*len = strlen(t);
		while (*len > 0 && (t[*len - 1] == ' ' || t[*len - 1] == '\t'))
			(*len)--;
		if (*len == 0)
			t = NULL;
	}
	return t;
}

/* 0 when equal; the loop always runs over all 32 bytes. */
static uint8_t digest_diff(const uint8_t *a, const uint8_t *b)
{
	uint8_t d = 0;

	for (unsigned i = 0; i < SHA256_DIGEST_LEN; i++)
		d |= a[i] ^ b[i];
	return d;
}

const struct hv_mgmt_token *api_authenticate(const char *authorization)
{
	const struct hv_mgmt_config *cfg = backend_mgmt_config();
	const struct hv_mgmt_token *found = NULL;
	uint8_t digest[SHA256_DIGEST_LEN];
	size_t len = 0;
	const char *t = bearer(authorization, &len);
	unsigned n = cfg->ntokens < HV_MGMT_MAX_TOKENS ? cfg->ntokens : HV_MGMT_MAX_TOKENS;

	if (!t)
		return NULL;
	sha256(t, len, digest);
	/* Every configured hash is compared; the match is remembered, not returned early. */
	for (unsigned i = 0; i < n; i++) {
		bool same = digest_diff(digest, cfg->tokens[i].sha256) == 0;

		if (same && !found)
			found = &cfg->tokens[i];
	}
	return found;
}

/* Whether grant g names vm exactly (the grant's array need not hold a NUL). */
static bool grant_names(const struct hv_mgmt_grant *g, const char *vm)
{
	size_t n = strnlen(g->vm, HV_MGMT_NAME_LEN);

	return (n == 1 && g->vm[0] == '*') || (strlen(vm) == n && memcmp(g->vm, vm, n) == 0);
}

bool api_allowed(const struct hv_mgmt_token *token, const char *vm, uint32_t right)
{
	uint32_t held = 0;
	unsigned n = token->ngrants < HV_MGMT_MAX_GRANTS ? token->ngrants : HV_MGMT_MAX_GRANTS;

	for (unsigned i = 0; i < n; i++) {
		const struct hv_mgmt_grant *g = &token->grants[i];

		if (vm && grant_names(g, vm))
			held |= g->rights;
		/* No VM named: the whole right on some one VM will do (lists filter per VM). */
		else if (!vm && (g->rights & right) == right)
			held |= right;
	}
	return (held & right) == right;
}

/* Console-safe copy: control bytes become '?', long text is cut (it came from the network). */
static void sanitise(char *out, size_t cap, const char *in)
{
	size_t i = 0;

	for (; in && in[i] && i + 1 < cap; i++)
		out[i] = ((unsigned char)in[i] < 0x20 || in[i] == 0x7f) ? '?' : in[i];
	out[i] = '\0';
}

void api_audit(const struct api_ctx *ctx, const char *action, const char *detail)
{
	char safe[AUDIT_DETAIL_MAX + 1], client[AUDIT_DETAIL_MAX + 12];
	const char *subject = ctx->rq ? ctx->rq->client_subject : NULL;

	sanitise(safe, sizeof(safe), detail);
	/* Mutual TLS: the client certificate's subject, beside the token's name. */
	client[0] = '\0';
	if (subject)
		fmt_snprintf(client, sizeof(client), " (client %s)", subject);
	backend_log("root: api: %.*s%s: %s %s%s%s\n", (int)HV_MGMT_NAME_LEN,
		    ctx->token ? ctx->token->name : "?", client, action,
		    ctx->vm_name[0] ? ctx->vm_name : "-", safe[0] ? " " : "", safe);
}
