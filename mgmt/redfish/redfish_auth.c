/*
 * The Redfish face's credentials, all resolving to one of hv.cfg's tokens
 * (include/hv/mgmtcfg.h), so that rights are the native API's: a
 * session's X-Auth-Token (redfish_sessions.c), HTTP Basic (RFC 7617)
 * whose user name is the token's name and whose password is the token
 * itself, or the native Bearer token.  The password is checked by the
 * native API's api_authenticate (SHA-256, compared in constant time with
 * every configured hash), then the name must match the token it found.
 * Failed attempts count, and slow their address down, exactly as the
 * native API's (api_throttle.c): the two faces share one budget.
 */
#include "redfish_int.h"

#include <api/api_throttle.h>

#include <lib/format.h>
#include <lib/string.h>

/* Room for "Bearer " and the longest token the Authorization header can carry. */
#define SECRET_MAX 240u

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* The value of a base64 digit (RFC 4648 section 4), -1 for anything else. */
static int b64_digit(char c)
{
	int v = -1;

	if (c >= 'A' && c <= 'Z')
		v = c - 'A';
	else if (c >= 'a' && c <= 'z')
		v = c - 'a' + 26;
	else if (c >= '0' && c <= '9')
		v = c - '0' + 52;
	else if (c == '+')
		v = 62;
	else if (c == '/')
		v = 63;
	return v;
}

/*
 * Decodes base64 text (padding optional) into out, NUL-terminated;
 * false on a bad digit, a NUL in the result, or overflow.
 */
static bool b64_decode(const char *in, char *out, size_t cap)
{
	size_t o = 0, n = strlen(in);
	uint32_t acc = 0;
	unsigned bits = 0;
	bool ok = true;

	while (n > 0 && in[n - 1] == '=')
		n--;
	for (size_t i = 0; i < n && ok; i++) {
		int d = b64_digit(in[i]);

		ok = d >= 0;
		acc = (acc << 6) | (uint32_t)(d & 0x3f);
		bits += 6;
		if (ok && bits >= 8) {
			bits -= 8;
			out[o] = (char)((acc >> bits) & 0xff);
			ok = out[o] != '\0' && ++o < cap;
		}
	}
	out[o < cap ? o : 0] = '\0';
	return ok && o < cap;
}

const struct hv_mgmt_token *rf_check_password(const char *user, const char *password)
{
	static char bearer[SECRET_MAX + 8];
	size_t n = strlen(password);
	const struct hv_mgmt_token *t = NULL;

	if (n > 0 && n <= SECRET_MAX) {
		memcpy(bearer, "Bearer ", 7);
		memcpy(bearer + 7, password, n + 1);
		t = api_authenticate(bearer);
		memset(bearer, 0, sizeof(bearer));
	}
	if (t && (strnlen(t->name, HV_MGMT_NAME_LEN) != strlen(user) ||
		  memcmp(t->name, user, strlen(user)) != 0))
		t = NULL;
	return t;
}

/* "Basic <base64 of user:password>" (scheme case-insensitive); NULL if not Basic or wrong. */
static const struct hv_mgmt_token *basic(const char *h)
{
	static const char scheme[] = "basic ";
	static char plain[SECRET_MAX + HV_MGMT_NAME_LEN + 2];
	const struct hv_mgmt_token *t = NULL;
	size_t i = 0;
	char *colon;

	while (i < 6 && lower(h[i]) == scheme[i])
		i++;
	if (i < 6)
		return NULL;
	while (h[i] == ' ')
		i++;
	if (b64_decode(h + i, plain, sizeof(plain)) && (colon = strchr(plain, ':')) != NULL) {
		*colon = '\0';
		t = rf_check_password(plain, colon + 1);
	}
	memset(plain, 0, sizeof(plain));
	return t;
}

const struct hv_mgmt_token *rf_authenticate(const struct http_request *rq, uint32_t *session)
{
	const struct hv_mgmt_token *t;

	*session = 0;
	if (rq->x_auth_token[0])
		return rf_session_check(rq->x_auth_token, session);
	t = basic(rq->authorization);
	return t ? t : api_authenticate(rq->authorization);
}

/* Whether rq carries credentials of any kind (none at all is no attempt). */
static bool presented(const struct http_request *rq)
{
	return rq->authorization[0] || rq->x_auth_token[0];
}

bool rf_throttled(struct api_ctx *ctx, bool attempt, enum api_disposition *d)
{
	uint32_t s = 0;
	char retry[32], secs[12];
	const char *args[] = { secs };

	if (!(attempt || presented(ctx->rq)) ||
	    !api_throttle_blocked(ctx->rq->peer, ctx->rq->now_ms, &s))
		return false;
	fmt_snprintf(retry, sizeof(retry), "Retry-After: %u", s);
	fmt_snprintf(secs, sizeof(secs), "%u", s);
	http_add_header(ctx->conn, retry);
	*d = rf_error(ctx, 429, E_ACCESSDENIED, RF_M_SERVICE_TEMPORARILY_UNAVAILABLE, args, 1,
		      "too many failed authentications from this address; try later");
	return true;
}

void rf_auth_failed(const struct http_request *rq, bool attempt)
{
	if (attempt || presented(rq))
		api_throttle_failure(rq->peer, rq->now_ms);
}
