/*
 * The OData conventions of Redfish 1.x that every resource of the face
 * follows: the table of resource types and their schema versions (which
 * $metadata references, redfish_metadata.c), @odata.id / @odata.type /
 * @odata.context, links, Status, and the replies: a resource's ETag is a
 * hash of its body, so it changes exactly when the resource does, sent
 * both as the ETag header and as "@odata.etag"; If-None-Match with that
 * ETag gets 304 without a body.
 */
#include "redfish_int.h"

#include <lib/format.h>
#include <lib/sha256.h>
#include <lib/string.h>
#include <stdarg.h>

#define URI_MAX 160u

static const struct {
	const char *name;
	const char *version;    /* NULL: an unversioned collection */
} types[RF_T_COUNT] = {
	[RF_T_SERVICE_ROOT] = { "ServiceRoot", "v1_5_0" },
	[RF_T_SYSTEM_COLLECTION] = { "ComputerSystemCollection", NULL },
	[RF_T_SYSTEM] = { "ComputerSystem", "v1_13_0" },
	[RF_T_MANAGER_COLLECTION] = { "ManagerCollection", NULL },
	[RF_T_MANAGER] = { "Manager", "v1_10_0" },
	[RF_T_NETWORK_PROTOCOL] = { "ManagerNetworkProtocol", "v1_5_0" },
	[RF_T_TASK_SERVICE] = { "TaskService", "v1_1_4" },
	[RF_T_TASK_COLLECTION] = { "TaskCollection", NULL },
	[RF_T_TASK] = { "Task", "v1_4_3" },
	[RF_T_SESSION_SERVICE] = { "SessionService", "v1_1_6" },
	[RF_T_SESSION_COLLECTION] = { "SessionCollection", NULL },
	[RF_T_SESSION] = { "Session", "v1_3_0" },
	[RF_T_EVENT_SERVICE] = { "EventService", "v1_5_0" },
	[RF_T_EVENT] = { "Event", "v1_4_1" },
	[RF_T_MESSAGE] = { "Message", "v1_1_2" },
};

/* The face builds one reply at a time: here, and with its ETag in `tagged`. */
static char body[HTTP_MAX_RESPONSE - 1024];
static char tagged[HTTP_MAX_RESPONSE - 1024];
static struct jw writer;

const char *rf_type_name(enum rf_type t)
{
	return types[t].name;
}

const char *rf_type_version(enum rf_type t)
{
	return types[t].version;
}

const char *rf_odata_type(enum rf_type t, char *buf, size_t cap)
{
	if (types[t].version)
		fmt_snprintf(buf, cap, "#%s.%s.%s", types[t].name, types[t].version, types[t].name);
	else
		fmt_snprintf(buf, cap, "#%s.%s", types[t].name, types[t].name);
	return buf;
}

struct jw *rf_json(void)
{
	jw_init(&writer, body, sizeof(body));
	return &writer;
}

void rf_resource_begin(struct jw *w, enum rf_type t, const char *id_fmt, ...)
{
	char uri[URI_MAX], type[96];
	va_list ap;

	va_start(ap, id_fmt);
	fmt_vsnprintf(uri, sizeof(uri), id_fmt, ap);
	va_end(ap);
	jw_obj_begin(w);
	jw_key(w, "@odata.id");
	jw_str(w, uri);
	jw_key(w, "@odata.type");
	jw_str(w, rf_odata_type(t, type, sizeof(type)));
	fmt_snprintf(type, sizeof(type), RF_ROOT "/$metadata#%s.%s", types[t].name, types[t].name);
	jw_key(w, "@odata.context");
	jw_str(w, type);
}

static void link_value(struct jw *w, const char *fmt, va_list ap)
{
	char uri[URI_MAX];

	fmt_vsnprintf(uri, sizeof(uri), fmt, ap);
	jw_obj_begin(w);
	jw_key(w, "@odata.id");
	jw_str(w, uri);
	jw_obj_end(w);
}

void rf_link(struct jw *w, const char *key, const char *uri_fmt, ...)
{
	va_list ap;

	jw_key(w, key);
	va_start(ap, uri_fmt);
	link_value(w, uri_fmt, ap);
	va_end(ap);
}

void rf_link_item(struct jw *w, const char *uri_fmt, ...)
{
	va_list ap;

	va_start(ap, uri_fmt);
	link_value(w, uri_fmt, ap);
	va_end(ap);
}

void rf_status(struct jw *w, const char *state, const char *health)
{
	jw_key(w, "Status");
	jw_obj_begin(w);
	jw_key(w, "State");
	jw_str(w, state);
	jw_key(w, "Health");
	jw_str(w, health);
	jw_obj_end(w);
}

void rf_id_name(struct jw *w, const char *id, const char *name)
{
	jw_key(w, "Id");
	jw_str(w, id);
	jw_key(w, "Name");
	jw_str(w, name);
}

void rf_service_enabled(struct jw *w)
{
	jw_key(w, "ServiceEnabled");
	jw_bool(w, true);
	rf_status(w, "Enabled", "OK");
}

void rf_collection_begin(struct jw *w, enum rf_type t, const char *uri, const char *name,
			 uint64_t count)
{
	rf_resource_begin(w, t, "%s", uri);
	jw_key(w, "Name");
	jw_str(w, name);
	jw_key(w, "Members@odata.count");
	jw_uint(w, count);
	jw_key(w, "Members");
	jw_arr_begin(w);
}

void rf_collection_end(struct jw *w)
{
	jw_arr_end(w);
	jw_obj_end(w);
}

enum api_disposition rf_reply(struct api_ctx *ctx, int status, const struct jw *w)
{
	return api_reply_json(ctx, status, w);
}

/*
 * W/"<16 hex digits of the body's SHA-256>": weak, as a rewritten body of
 * equal meaning may differ.
 */
static void etag_of(const struct jw *w, char *out, size_t cap)
{
	uint8_t d[SHA256_DIGEST_LEN];

	sha256(w->buf, w->len, d);
	fmt_snprintf(out, cap, "W/\"%02x%02x%02x%02x%02x%02x%02x%02x\"", d[0], d[1], d[2], d[3],
		     d[4], d[5], d[6], d[7]);
}

/* Whether If-None-Match (a list of ETags, or *) names etag. */
static bool none_match_hit(const char *header, const char *etag)
{
	const char *p = header;
	size_t n = strlen(etag);
	bool hit = false;

	while (*p && !hit) {
		while (*p == ' ' || *p == ',')
			p++;
		hit = (*p == '*' && (p[1] == '\0' || p[1] == ',' || p[1] == ' ')) ||
		      (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' '));
		while (*p && *p != ',')
			p++;
	}
	return hit;
}

enum api_disposition rf_reply_resource(struct api_ctx *ctx, const struct jw *w)
{
	char etag[32], header[48];
	struct jw t;

	if (w->overflow || w->depth != 0 || w->len < 2 || w->buf[0] != '{')
		return api_reply_json(ctx, 500, w);     /* answers 500: the body did not fit */
	etag_of(w, etag, sizeof(etag));
	fmt_snprintf(header, sizeof(header), "ETag: %s", etag);
	http_add_header(ctx->conn, header);
	if (ctx->rq->if_none_match[0] && none_match_hit(ctx->rq->if_none_match, etag))
		return api_reply_text(ctx, 304, "application/json", "", 0);
	/* The same body with "@odata.etag" first. */
	jw_init(&t, tagged, sizeof(tagged));
	jw_obj_begin(&t);
	jw_key(&t, "@odata.etag");
	jw_str(&t, etag);
	/* jw_raw puts the comma; the copied rest closes the object. */
	jw_raw(&t, w->buf + 1, w->len - 1);
	t.depth = 0;
	return api_reply_json(ctx, 200, &t);
}
