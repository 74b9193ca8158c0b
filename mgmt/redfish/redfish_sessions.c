/*
 * The SessionService: POST /redfish/v1/SessionService/Sessions with
 * {"UserName": a token's name, "Password": the token} logs in (201 with
 * X-Auth-Token and Location: the session), DELETE of the session logs
 * out, a session idle for RF_SESSION_TIMEOUT_S is forgotten.  A session
 * acts with its token's rights; a token sees only its own sessions.  At
 * most RF_SESSIONS_PER_TOKEN per token: a further login replaces that
 * token's least recently used session, so no token can crowd out
 * another's and a client that never logs out cannot lock its token out.
 *
 * Session keys are 128 bits from the root's entropy (backend_entropy)
 * hashed with a pool seeded from the configured token hashes; only
 * their SHA-256 is kept, and a presented key is compared with every
 * session's in constant time, as tokens are.
 */
#include "redfish_int.h"

#include <api/api_body.h>
#include <backend/backend.h>

#include <lib/format.h>
#include <lib/sha256.h>
#include <lib/string.h>

#define RF_SESSIONS_PER_TOKEN 4u
#define RF_SESSIONS_MAX (HV_MGMT_MAX_TOKENS * RF_SESSIONS_PER_TOKEN)
#define RF_SESSION_TIMEOUT_S 1800u
#define KEY_BYTES 16u
#define PASSWORD_MAX 240u
#define SESSIONS RF_ROOT "/SessionService/Sessions"

struct session {
	uint32_t id;                        /* 0: free */
	const struct hv_mgmt_token *token;  /* tokens live in the static configuration */
	uint8_t key_hash[SHA256_DIGEST_LEN];
	uint64_t last_ms;
};

static struct session sessions[RF_SESSIONS_MAX];
static uint32_t next_id = 1;
static uint8_t pool[SHA256_DIGEST_LEN];
static uint64_t minted;
static struct api_body body;

void rf_sessions_init(void)
{
	const struct hv_mgmt_config *cfg = backend_mgmt_config();

	memset(sessions, 0, sizeof(sessions));
	next_id = 1;
	sha256(cfg, sizeof(*cfg), pool);
}

/* A new key as hex text (2 * KEY_BYTES + 1 bytes) and its SHA-256. */
static void key_new(char *hex, uint8_t hash[SHA256_DIGEST_LEN])
{
	uint8_t in[2 * SHA256_DIGEST_LEN + sizeof(uint64_t)];

	memcpy(in, pool, SHA256_DIGEST_LEN);
	backend_entropy(in + SHA256_DIGEST_LEN);
	minted++;
	memcpy(in + 2 * SHA256_DIGEST_LEN, &minted, sizeof(minted));
	sha256(in, sizeof(in), pool);
	for (unsigned i = 0; i < KEY_BYTES; i++)
		fmt_snprintf(hex + 2 * i, 3, "%02x", pool[i]);
	sha256(hex, 2 * KEY_BYTES, hash);
	/* The pool moves on: a later key says nothing about this one. */
	sha256(pool, sizeof(pool), pool);
	memset(in, 0, sizeof(in));
}

/* now_ms may come from before the last use (the poll loop reads its clock once per round). */
static bool expired(const struct session *s, uint64_t now_ms)
{
	return now_ms > s->last_ms && now_ms - s->last_ms >= RF_SESSION_TIMEOUT_S * 1000ull;
}

static void forget(struct session *s, const char *why)
{
	backend_log("root: redfish: session %u of %.*s %s\n", s->id, (int)HV_MGMT_NAME_LEN,
		    s->token->name, why);
	memset(s, 0, sizeof(*s));
}

const struct hv_mgmt_token *rf_session_check(const char *key, uint32_t *id)
{
	uint8_t hash[SHA256_DIGEST_LEN];
	struct session *found = NULL;
	uint64_t now = backend_now_ms();

	sha256(key, strlen(key), hash);
	/* Every session is compared; the match is remembered, not returned early. */
	for (unsigned i = 0; i < RF_SESSIONS_MAX; i++) {
		uint8_t d = 0;

		for (unsigned b = 0; b < SHA256_DIGEST_LEN; b++)
			d |= hash[b] ^ sessions[i].key_hash[b];
		if (d == 0 && sessions[i].id != 0 && !found)
			found = &sessions[i];
	}
	if (found && expired(found, now)) {
		forget(found, "expired");
		found = NULL;
	}
	if (!found)
		return NULL;
	found->last_ms = now;
	*id = found->id;
	return found->token;
}

bool rf_session_alive(uint32_t id)
{
	bool alive = false;

	for (unsigned i = 0; i < RF_SESSIONS_MAX && !alive; i++)
		alive = id != 0 && sessions[i].id == id;
	return alive;
}

void rf_sessions_poll(uint64_t now_ms)
{
	for (unsigned i = 0; i < RF_SESSIONS_MAX; i++)
		if (sessions[i].id != 0 && expired(&sessions[i], now_ms))
			forget(&sessions[i], "expired");
}

/* A free slot; when token has its maximum, its least recently used session is replaced. */
static struct session *slot_for(const struct hv_mgmt_token *token)
{
	struct session *free_slot = NULL, *lru = NULL;
	unsigned held = 0;

	for (unsigned i = 0; i < RF_SESSIONS_MAX; i++) {
		struct session *s = &sessions[i];

		if (s->id == 0 && !free_slot)
			free_slot = s;
		if (s->id == 0 || s->token != token)
			continue;
		held++;
		if (!lru || s->last_ms < lru->last_ms)
			lru = s;
	}
	if (held >= RF_SESSIONS_PER_TOKEN) {
		forget(lru, "replaced by a new login");
		free_slot = lru;
	}
	return free_slot;
}

static void write_session(struct jw *w, const struct session *s)
{
	char id[12];

	fmt_snprintf(id, sizeof(id), "%u", s->id);
	rf_resource_begin(w, RF_T_SESSION, SESSIONS "/%u", s->id);
	rf_id_name(w, id, "User Session");
	jw_key(w, "UserName");
	jw_strn(w, s->token->name, strnlen(s->token->name, HV_MGMT_NAME_LEN));
	/* The schema's Password is write-only: null in every answer. */
	jw_key(w, "Password");
	jw_null(w);
	jw_obj_end(w);
}

/* UserName and Password of the login body; false after answering 400. */
static bool credentials(struct api_ctx *ctx, char *user, char *password, enum api_disposition *d)
{
	static const char *const names[] = { "UserName", "Password" };
	char *out[] = { user, password };
	const size_t max[] = { HV_MGMT_NAME_LEN - 1, PASSWORD_MAX };
	bool ok = api_body_parse(&body, ctx->rq, false);

	if (!ok)
		*d = rf_bad_body(ctx, body.err);
	for (unsigned i = 0; i < 2 && ok; i++) {
		const char *args[] = { "", names[i] };
		enum api_field f = api_body_str(&body, names[i], 1, max[i], out[i], max[i] + 1);

		ok = f == API_FIELD_OK;
		if (f == API_FIELD_ABSENT)
			*d = rf_error(ctx, 400, E_INVALIDARG, RF_M_PROPERTY_MISSING, args + 1, 1,
				      NULL);
		else if (!ok)
			*d = rf_error(ctx, 400, E_INVALIDARG, RF_M_PROPERTY_VALUE_TYPE_ERROR, args,
				      2, body.err);
	}
	return ok;
}

static enum api_disposition login(struct api_ctx *ctx)
{
	static char user[HV_MGMT_NAME_LEN], password[PASSWORD_MAX + 1];
	const char *args[] = { SESSIONS, "the user name or password is not valid" };
	enum api_disposition d = API_ANSWERED;
	char key[2 * KEY_BYTES + 1], header[96], detail[32];
	struct session *s;
	struct jw *w;

	/* The password is a token: over plain HTTP only where hv.cfg allows (docs/http.md, "TLS"). */
	if (!http_credentials_allowed(ctx->rq))
		return rf_error(ctx, 403, E_ACCESSDENIED, RF_M_INSUFFICIENT_PRIVILEGE, NULL, 0,
				"credentials over plain HTTP are refused: use HTTPS");
	if (rf_throttled(ctx, true, &d) || !credentials(ctx, user, password, &d))
		return d;
	ctx->token = rf_check_password(user, password);
	memset(password, 0, sizeof(password));
	if (!ctx->token) {
		rf_auth_failed(ctx->rq, true);
		api_audit(ctx, "login-refused", user);
		return rf_error(ctx, 401, E_ACCESSDENIED, RF_M_RESOURCE_AT_URI_UNAUTHORIZED, args,
				2, NULL);
	}
	s = slot_for(ctx->token);
	s->id = next_id++;
	s->token = ctx->token;
	s->last_ms = backend_now_ms();
	key_new(key, s->key_hash);
	fmt_snprintf(detail, sizeof(detail), "session %u", s->id);
	api_audit(ctx, "login", detail);
	fmt_snprintf(header, sizeof(header), "X-Auth-Token: %s", key);
	http_add_header(ctx->conn, header);
	fmt_snprintf(header, sizeof(header), "Location: " SESSIONS "/%u", s->id);
	http_add_header(ctx->conn, header);
	memset(key, 0, sizeof(key));
	w = rf_json();
	write_session(w, s);
	return rf_reply(ctx, 201, w);
}

/* The caller's own session of the {id} capture; NULL after answering 404. */
static struct session *session_of(struct api_ctx *ctx, enum api_disposition *d)
{
	const char *id = ctx->ncaptures ? ctx->captures[0] : "";
	struct session *found = NULL;
	char text[12];

	for (unsigned i = 0; i < RF_SESSIONS_MAX && !found; i++) {
		fmt_snprintf(text, sizeof(text), "%u", sessions[i].id);
		if (sessions[i].id != 0 && sessions[i].token == ctx->token && strcmp(text, id) == 0)
			found = &sessions[i];
	}
	if (!found)
		*d = rf_not_found(ctx, "Session", id);
	return found;
}

static enum api_disposition session_get(struct api_ctx *ctx)
{
	enum api_disposition d = API_ANSWERED;
	struct session *s = session_of(ctx, &d);
	struct jw *w;

	if (!s)
		return d;
	w = rf_json();
	write_session(w, s);
	return rf_reply_resource(ctx, w);
}

static enum api_disposition logout(struct api_ctx *ctx)
{
	enum api_disposition d = API_ANSWERED;
	struct session *s = session_of(ctx, &d);
	char detail[32];

	if (!s)
		return d;
	fmt_snprintf(detail, sizeof(detail), "session %u", s->id);
	api_audit(ctx, "logout", detail);
	forget(s, "logged out");
	return api_reply_text(ctx, 204, "application/json", "", 0);
}

static enum api_disposition session_list(struct api_ctx *ctx)
{
	struct jw *w = rf_json();
	uint32_t count = 0;

	for (unsigned i = 0; i < RF_SESSIONS_MAX; i++)
		count += sessions[i].id != 0 && sessions[i].token == ctx->token;
	rf_collection_begin(w, RF_T_SESSION_COLLECTION, SESSIONS, "Session Collection", count);
	for (unsigned i = 0; i < RF_SESSIONS_MAX; i++)
		if (sessions[i].id != 0 && sessions[i].token == ctx->token)
			rf_link_item(w, SESSIONS "/%u", sessions[i].id);
	rf_collection_end(w);
	return rf_reply_resource(ctx, w);
}

static enum api_disposition session_service(struct api_ctx *ctx)
{
	struct jw *w = rf_json();

	rf_resource_begin(w, RF_T_SESSION_SERVICE, RF_ROOT "/SessionService");
	rf_id_name(w, "SessionService", "Session Service");
	rf_service_enabled(w);
	jw_key(w, "SessionTimeout");
	jw_uint(w, RF_SESSION_TIMEOUT_S);
	rf_link(w, "Sessions", SESSIONS);
	jw_obj_end(w);
	return rf_reply_resource(ctx, w);
}

const struct api_route rf_sessions_routes[] = {
	{ HTTP_M_GET, RF_ROOT "/SessionService", 0, session_service },
	{ HTTP_M_GET, SESSIONS, 0, session_list },
	{ HTTP_M_POST, SESSIONS, RF_PUBLIC, login },
	{ HTTP_M_GET, SESSIONS "/{id}", 0, session_get },
	{ HTTP_M_DELETE, SESSIONS "/{id}", 0, logout },
};
const size_t rf_sessions_routes_count = sizeof(rf_sessions_routes) / sizeof(rf_sessions_routes[0]);
