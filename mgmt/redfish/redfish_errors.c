/*
 * Errors in Redfish's shape (DSP0266, "Error responses"):
 *   {"error":{"code":"Base.1.16.ResourceNotFound","message":"...",
 *    "@Message.ExtendedInfo":[{Message, Oem.Hv {HResult, HResultName, Description}}]}}
 * code is the MessageId of the registry message, message says what
 * happened in words (ours when we have them), and the extended message
 * carries the HRESULT the native API would have answered, so both faces
 * report the same cause.  The HTTP status of an HRESULT is the native
 * API's (api_status_of).
 */
#include "redfish_int.h"

#include <lib/format.h>
#include <lib/string.h>

#define DETAIL_MAX 200u

static void write_error(struct jw *w, uint32_t hresult, enum rf_msg m, const char *const *args,
			unsigned nargs, const char *detail)
{
	char id[64];

	jw_obj_begin(w);
	jw_key(w, "error");
	jw_obj_begin(w);
	jw_key(w, "code");
	jw_str(w, rf_msg_id(m, id, sizeof(id)));
	jw_key(w, "message");
	if (detail)
		jw_strn(w, detail, strnlen(detail, DETAIL_MAX));
	else
		jw_str(w, "See @Message.ExtendedInfo for more information.");
	jw_key(w, "@Message.ExtendedInfo");
	jw_arr_begin(w);
	rf_msg_write(w, m, args, nargs, hresult, detail);
	jw_arr_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
}

enum api_disposition rf_error(struct api_ctx *ctx, int status, uint32_t hresult, enum rf_msg m,
			      const char *const *args, unsigned nargs, const char *detail)
{
	struct jw *w = rf_json();

	write_error(w, hresult, m, args, nargs, detail);
	if (w->overflow) {
		/* Arguments quote the request (a path): without them it always fits. */
		w = rf_json();
		write_error(w, hresult, m, NULL, 0, NULL);
	}
	return rf_reply(ctx, status, w);
}

enum api_disposition rf_error_hr(struct api_ctx *ctx, uint32_t hresult, const char *detail)
{
	static const char *const retry[] = { "1" };
	int status = api_status_of(hresult);
	enum rf_msg m = RF_M_GENERAL_ERROR;
	unsigned nargs = 0;

	if (hresult == E_ACCESSDENIED)
		m = RF_M_INSUFFICIENT_PRIVILEGE;
	else if (hresult == VM_E_VM_NOT_RUNNING)
		m = RF_M_RESOURCE_IN_STANDBY;
	else if (status == 409 && hresult != VM_E_ADDITIONS_FEATURE_NOT_AVAIL &&
		 hresult != VM_E_ADDITIONS_NOT_AVAIL)
		m = RF_M_RESOURCE_IN_USE;
	else if (status == 504)
		m = RF_M_OPERATION_TIMEOUT;
	else if (status == 500)
		m = RF_M_INTERNAL_ERROR;
	if (status == 503) {
		m = RF_M_SERVICE_TEMPORARILY_UNAVAILABLE;
		nargs = 1;
		http_add_header(ctx->conn, "Retry-After: 1");
	}
	return rf_error(ctx, status, hresult, m, retry, nargs, detail);
}

enum api_disposition rf_not_found(struct api_ctx *ctx, const char *type, const char *name)
{
	const char *args[] = { type, name };
	char detail[96];
	/* The native API's HRESULTs: an unknown VM, or (a task) an unknown id. */
	uint32_t hr = strcmp(type, "ComputerSystem") == 0 ? VM_E_VM_UNKNOWN : E_INVALIDARG;

	fmt_snprintf(detail, sizeof(detail), "no %s named %s", type, name);
	return rf_error(ctx, 404, hr, RF_M_RESOURCE_NOT_FOUND, args, 2, detail);
}

enum api_disposition rf_bad_body(struct api_ctx *ctx, const char *err)
{
	return rf_error(ctx, 400, E_INVALIDARG, RF_M_MALFORMED_JSON, NULL, 0, err);
}
