/*
 * KVP messages (vmbus_kvp.h).  Every size field from the other side is
 * checked against its array before a byte of key or value is used.
 */
#include "vmbus_kvp.h"
#include "vmbus_err.h"
#include "vmbus_le.h"

#include <lib/string.h>

#define KVP_HDR sizeof(struct ic_kvp_hdr)

/* Bytes of body the operation's layout needs, 0 for an unknown operation. */
static size_t body_size(uint8_t op)
{
	switch (op) {
	case IC_KVP_OP_GET:
	case IC_KVP_OP_SET:
		return KVP_HDR + sizeof(struct ic_kvp_value);
	case IC_KVP_OP_DELETE:
		return KVP_HDR + sizeof(struct ic_kvp_delete);
	case IC_KVP_OP_ENUMERATE:
		return KVP_HDR + sizeof(struct ic_kvp_enumerate);
	default:
		return 0;
	}
}

static int check_value(uint32_t type, uint32_t size)
{
	switch (type) {
	case IC_KVP_REG_SZ:
		return size % 2 == 0 ? 0 : -VMBUS_E_MALFORMED;
	case IC_KVP_REG_U32:
		return size == 4 ? 0 : -VMBUS_E_MALFORMED;
	case IC_KVP_REG_U64:
		return size == 8 ? 0 : -VMBUS_E_MALFORMED;
	default:
		return -VMBUS_E_MALFORMED;
	}
}

/* Decodes an ic_kvp_value at p (whole layout present). */
static int parse_value(const uint8_t *p, struct ic_kvp *out, bool value_used)
{
	const size_t key_at = offsetof(struct ic_kvp_value, key);
	const size_t value_at = offsetof(struct ic_kvp_value, value);

	out->value_type = vmbus_ld32(p);
	out->key_size = vmbus_ld32(p + 4);
	out->value_size = vmbus_ld32(p + 8);
	out->key = p + key_at;
	out->value = p + value_at;
	if (out->key_size > IC_KVP_MAX_KEY || out->key_size % 2 != 0 ||
	    out->value_size > IC_KVP_MAX_VALUE)
		return -VMBUS_E_MALFORMED;
	if (value_used && out->value_size != 0)
		return check_value(out->value_type, out->value_size);
	return 0;
}

int ic_kvp_parse(const struct ic_msg *m, struct ic_kvp *out)
{
	struct ic_kvp_hdr h;
	const uint8_t *p;
	size_t need;

	memset(out, 0, sizeof(*out));
	if (m->hdr.type != IC_MSGTYPE_KVPEXCHANGE)
		return -VMBUS_E_UNKNOWN;
	if (m->body_len < KVP_HDR)
		return -VMBUS_E_SHORT;
	memcpy(&h, m->body, sizeof(h));
	out->op = h.operation;
	out->pool = h.pool;
	need = body_size(h.operation);
	if (need == 0)
		return -VMBUS_E_UNKNOWN;
	if (m->body_len < need)
		return -VMBUS_E_SHORT;
	if (h.pool >= IC_KVP_POOL_COUNT)
		return -VMBUS_E_MALFORMED;
	p = m->body + KVP_HDR;
	switch (h.operation) {
	case IC_KVP_OP_DELETE:
		out->key_size = vmbus_ld32(p);
		out->key = p + 4;
		return out->key_size <= IC_KVP_MAX_KEY && out->key_size % 2 == 0 ? 0
										  : -VMBUS_E_MALFORMED;
	case IC_KVP_OP_ENUMERATE:
		out->index = vmbus_ld32(p);
		return parse_value(p + 4, out, true);
	default:
		return parse_value(p, out, true);
	}
}

/* Fills an ic_kvp_value at p from k (sizes already checked). */
static void put_value(uint8_t *p, uint32_t type, const uint8_t *key, uint32_t key_size,
		      const uint8_t *value, uint32_t value_size)
{
	vmbus_st32(p, type);
	if (key) {
		vmbus_st32(p + 4, key_size);
		memset(p + 12, 0, IC_KVP_MAX_KEY);
		memcpy(p + 12, key, key_size);
	}
	vmbus_st32(p + 8, value_size);
	memset(p + 12 + IC_KVP_MAX_KEY, 0, IC_KVP_MAX_VALUE);
	if (value_size)
		memcpy(p + 12 + IC_KVP_MAX_KEY, value, value_size);
}

int ic_kvp_build(void *buf, size_t cap, const struct ic_hdr_info *h, const struct ic_kvp *k)
{
	uint8_t body[KVP_HDR + sizeof(struct ic_kvp_enumerate)];
	size_t need = body_size(k->op);
	uint8_t *p = body + KVP_HDR;

	if (need == 0 || k->pool >= IC_KVP_POOL_COUNT || k->key_size > IC_KVP_MAX_KEY ||
	    k->value_size > IC_KVP_MAX_VALUE || (k->key_size && !k->key) ||
	    (k->value_size && !k->value))
		return -VMBUS_E_INVAL;
	memset(body, 0, sizeof(body));
	body[0] = k->op;
	body[1] = k->pool;
	if (k->op == IC_KVP_OP_DELETE) {
		vmbus_st32(p, k->key_size);
		if (k->key_size)
			memcpy(p + 4, k->key, k->key_size);
	} else if (k->op == IC_KVP_OP_ENUMERATE) {
		vmbus_st32(p, k->index);
	} else {
		put_value(p, k->value_type, k->key ? k->key : (const uint8_t *)"", k->key_size,
			  k->op == IC_KVP_OP_SET ? k->value : NULL,
			  k->op == IC_KVP_OP_SET ? k->value_size : 0);
	}
	return ic_build(buf, cap, h, body, (uint32_t)need);
}

int ic_kvp_answer(void *buf, size_t len, uint32_t status, uint32_t value_type,
		  const uint8_t *key, uint32_t key_size, const uint8_t *value, uint32_t value_size)
{
	struct ic_msg m;
	struct ic_kvp k;
	uint8_t *p;
	int err = ic_parse(buf, len, &m);

	if (err == 0)
		err = ic_kvp_parse(&m, &k);
	if (err)
		return err;
	if (k.op != IC_KVP_OP_GET && k.op != IC_KVP_OP_ENUMERATE)
		return -VMBUS_E_INVAL;
	if (status == IC_S_OK) {
		if (key_size > IC_KVP_MAX_KEY || value_size > IC_KVP_MAX_VALUE ||
		    (value_size && !value) || (key_size && !key) ||
		    check_value(value_type, value_size) != 0)
			return -VMBUS_E_INVAL;
		p = (uint8_t *)buf + IC_HDR_SIZE + KVP_HDR + (k.op == IC_KVP_OP_ENUMERATE ? 4 : 0);
		put_value(p, value_type, k.op == IC_KVP_OP_ENUMERATE ? key : NULL, key_size, value,
			  value_size);
	}
	return ic_answer_inplace(buf, len, status);
}

int ic_utf16_from_ascii(const char *s, size_t len, uint8_t *dst, size_t cap)
{
	if (len > (SIZE_MAX - 2) / 2 || cap < 2 * len + 2)
		return -VMBUS_E_NOSPACE;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)s[i];

		if (c == 0 || c > 0x7f)
			return -VMBUS_E_MALFORMED;
		dst[2 * i] = c;
		dst[2 * i + 1] = 0;
	}
	dst[2 * len] = 0;
	dst[2 * len + 1] = 0;
	return (int)(2 * len + 2);
}

int ic_utf16_to_ascii(const uint8_t *src, size_t size, char *dst, size_t cap)
{
	size_t n = 0;

	if (size % 2 != 0)
		return -VMBUS_E_MALFORMED;
	for (size_t i = 0; i < size; i += 2) {
		uint16_t u = vmbus_ld16(src + i);

		if (u == 0)
			break;
		if (n + 1 >= cap)
			return -VMBUS_E_NOSPACE;
		dst[n++] = u > 0x7f ? '?' : (char)u;
	}
	if (cap == 0)
		return -VMBUS_E_NOSPACE;
	dst[n] = '\0';
	return (int)n;
}
