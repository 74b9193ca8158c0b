/*
 * IC framing and version negotiation (vmbus_ic.h): parsing with length
 * checks, building requests and in-place answers.
 */
#include "vmbus_ic.h"
#include "vmbus_err.h"
#include "vmbus_le.h"

#include <lib/string.h>

const struct ic_version ic_fw_versions[2] = { { 3, 0 }, { 1, 0 } };
const struct ic_version ic_shutdown_versions[4] = { { 3, 2 }, { 3, 1 }, { 3, 0 }, { 1, 0 } };
const struct ic_version ic_timesync_versions[3] = { { 4, 0 }, { 3, 0 }, { 1, 0 } };
const struct ic_version ic_heartbeat_versions[2] = { { 3, 0 }, { 1, 0 } };
const struct ic_version ic_kvp_versions[3] = { { 4, 0 }, { 3, 0 }, { 1, 0 } };
const struct ic_version ic_own_versions[1] = { { 1, 0 } };

#define NEGOTIATE_ANSWER_SIZE (sizeof(struct ic_negotiate) + 2 * sizeof(struct ic_version))

int ic_version_cmp(struct ic_version a, struct ic_version b)
{
	if (a.major != b.major)
		return a.major < b.major ? -1 : 1;
	if (a.minor != b.minor)
		return a.minor < b.minor ? -1 : 1;
	return 0;
}

bool ic_has_nul(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == 0)
			return true;
	return false;
}

int ic_parse(const void *buf, size_t len, struct ic_msg *m)
{
	const uint8_t *p = buf;

	if (len < IC_HDR_SIZE)
		return -VMBUS_E_SHORT;
	if (len > IC_MSG_MAX)
		return -VMBUS_E_OVERSIZE;
	memcpy(&m->hdr, p + sizeof(struct ic_pipe_hdr), sizeof(m->hdr));
	if (m->hdr.size > len - IC_HDR_SIZE)
		return -VMBUS_E_MALFORMED;
	m->body = p + IC_HDR_SIZE;
	m->body_len = m->hdr.size;
	return 0;
}

int ic_build(void *buf, size_t cap, const struct ic_hdr_info *h, const void *body,
	     uint32_t body_len)
{
	struct ic_pipe_hdr pipe;
	struct ic_hdr hdr;
	uint8_t *p = buf;

	if (body_len > IC_MSG_MAX - IC_HDR_SIZE)
		return -VMBUS_E_TOOBIG;
	if (cap < IC_HDR_SIZE + (size_t)body_len)
		return -VMBUS_E_NOSPACE;
	pipe.flags = IC_PIPE_FLAG_DATA;
	pipe.msgsize = (uint32_t)sizeof(hdr) + body_len;
	memset(&hdr, 0, sizeof(hdr));
	hdr.fw = h->fw;
	hdr.type = h->type;
	hdr.msgver = h->msgver;
	hdr.size = (uint16_t)body_len;
	hdr.status = h->status;
	hdr.trans_id = h->trans_id;
	hdr.flags = h->flags;
	/* Body first: it may overlap buf when answering in place. */
	if (body_len)
		memmove(p + IC_HDR_SIZE, body, body_len);
	memcpy(p, &pipe, sizeof(pipe));
	memcpy(p + sizeof(pipe), &hdr, sizeof(hdr));
	return (int)(IC_HDR_SIZE + body_len);
}

int ic_build_response(void *buf, size_t cap, const struct ic_msg *req, uint32_t status,
		      const void *body, uint32_t body_len)
{
	struct ic_hdr_info h = {
		.type = req->hdr.type,
		.fw = req->hdr.fw,
		.msgver = req->hdr.msgver,
		.trans_id = req->hdr.trans_id,
		.flags = IC_FLAG_TRANSACTION | IC_FLAG_RESPONSE,
		.status = status,
	};

	return ic_build(buf, cap, &h, body, body_len);
}

int ic_answer_inplace(void *buf, size_t len, uint32_t status)
{
	struct ic_msg m;
	int err = ic_parse(buf, len, &m);

	if (err)
		return err;
	return ic_build_response(buf, len, &m, status, m.body, m.body_len);
}

static int put_versions(uint8_t *p, const struct ic_version *v, uint32_t n)
{
	memcpy(p, v, n * sizeof(*v));
	return (int)(n * sizeof(*v));
}

int ic_negotiate_build(void *buf, size_t cap, uint8_t trans_id,
		       const struct ic_version *fw, uint32_t nfw,
		       const struct ic_version *srv, uint32_t nsrv)
{
	uint8_t body[sizeof(struct ic_negotiate) + 2 * IC_MAX_VERSIONS * sizeof(struct ic_version)];
	struct ic_negotiate neg = { .fw_count = (uint16_t)nfw, .srv_count = (uint16_t)nsrv };
	struct ic_hdr_info h = { .type = IC_MSGTYPE_NEGOTIATE, .trans_id = trans_id,
				 .flags = IC_FLAG_TRANSACTION | IC_FLAG_REQUEST };
	int off = sizeof(neg);

	if (nfw == 0 || nsrv == 0 || nfw > IC_MAX_VERSIONS || nsrv > IC_MAX_VERSIONS)
		return -VMBUS_E_INVAL;
	h.fw = fw[0];
	h.msgver = srv[0];
	memcpy(body, &neg, sizeof(neg));
	off += put_versions(body + off, fw, nfw);
	off += put_versions(body + off, srv, nsrv);
	return ic_build(buf, cap, &h, body, (uint32_t)off);
}

/* Highest version in ours that also appears in theirs (n entries at p). */
static bool best_common(const uint8_t *p, uint32_t n, const struct ic_version *ours,
			uint32_t nours, struct ic_version *best)
{
	bool found = false;

	for (uint32_t i = 0; i < n; i++) {
		struct ic_version v;

		memcpy(&v, p + i * sizeof(v), sizeof(v));
		for (uint32_t j = 0; j < nours; j++) {
			if (ic_version_cmp(v, ours[j]) == 0 &&
			    (!found || ic_version_cmp(v, *best) > 0)) {
				*best = v;
				found = true;
			}
		}
	}
	return found;
}

/* Checks a NEGOTIATE body's counts against its length. */
static int negotiate_lists(const struct ic_msg *m, struct ic_negotiate *neg)
{
	if (m->hdr.type != IC_MSGTYPE_NEGOTIATE)
		return -VMBUS_E_UNKNOWN;
	if (m->body_len < sizeof(*neg))
		return -VMBUS_E_SHORT;
	memcpy(neg, m->body, sizeof(*neg));
	if (neg->fw_count > IC_MAX_VERSIONS || neg->srv_count > IC_MAX_VERSIONS)
		return -VMBUS_E_MALFORMED;
	if (m->body_len < sizeof(*neg) + ((size_t)neg->fw_count + neg->srv_count) * 4u)
		return -VMBUS_E_SHORT;
	return 0;
}

int ic_negotiate_answer(void *buf, size_t len, size_t cap,
			const struct ic_version *fw, uint32_t nfw,
			const struct ic_version *srv, uint32_t nsrv,
			struct ic_version *fw_out, struct ic_version *srv_out, bool *matched)
{
	uint8_t answer[NEGOTIATE_ANSWER_SIZE];
	struct ic_version best_fw = { 0, 0 }, best_srv = { 0, 0 };
	struct ic_negotiate neg;
	struct ic_msg m;
	int err = ic_parse(buf, len, &m);

	if (err == 0)
		err = negotiate_lists(&m, &neg);
	if (err)
		return err;
	*matched = best_common(m.body + sizeof(neg), neg.fw_count, fw, nfw, &best_fw) &&
		   best_common(m.body + sizeof(neg) + neg.fw_count * 4u, neg.srv_count,
			       srv, nsrv, &best_srv);
	memset(answer, 0, sizeof(answer));
	if (*matched) {
		vmbus_st16(answer, 1);
		vmbus_st16(answer + 2, 1);
		memcpy(answer + 8, &best_fw, 4);
		memcpy(answer + 12, &best_srv, 4);
		*fw_out = best_fw;
		*srv_out = best_srv;
	}
	return ic_build_response(buf, cap, &m, IC_S_OK, answer, sizeof(answer));
}

static bool listed(struct ic_version v, const struct ic_version *list, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (ic_version_cmp(v, list[i]) == 0)
			return true;
	return false;
}

int ic_negotiate_result(const struct ic_msg *m, const struct ic_version *fw, uint32_t nfw,
			const struct ic_version *srv, uint32_t nsrv,
			struct ic_version *fw_out, struct ic_version *srv_out)
{
	struct ic_negotiate neg;
	int err = negotiate_lists(m, &neg);

	if (err)
		return err;
	if (!(m->hdr.flags & IC_FLAG_RESPONSE))
		return -VMBUS_E_MALFORMED;
	if (neg.fw_count == 0 || neg.srv_count == 0)
		return -VMBUS_E_VERSION;
	if (neg.fw_count != 1 || neg.srv_count != 1)
		return -VMBUS_E_MALFORMED;
	memcpy(fw_out, m->body + 8, 4);
	memcpy(srv_out, m->body + 12, 4);
	if (!listed(*fw_out, fw, nfw) || !listed(*srv_out, srv, nsrv))
		return -VMBUS_E_MALFORMED;
	return 0;
}
