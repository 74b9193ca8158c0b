/*
 * The guest additions' KVP service (Hyper-V Data Exchange): the pools the
 * root reads and writes (Get/SetParameter use the external pool) and the
 * auto pool of generated facts, Linux's ten intrinsic keys plus the six
 * Windows adds when os_version_ex has them.  Answers are built in place in
 * the request packet, as every IC service does.
 */
#include "additions_int.h"
#include "os.h"

#include <lib/format.h>
#include <lib/string.h>

#include "vmbus_err.h"
#include "vmbus_ic.h"
#include "vmbus_ic_util.h"
#include "vmbus_kvp.h"

#define KVP_SLOTS 16u

struct kvp_slot {
	bool used;
	uint32_t type;
	uint32_t key_size, value_size;
	uint8_t key[IC_KVP_MAX_KEY];
	uint8_t value[IC_KVP_MAX_VALUE];
};
static struct kvp_slot kvp_store[IC_KVP_POOL_COUNT][KVP_SLOTS];
/* The auto pool: Linux's ten keys (IC_KVP_AUTO_*), then os_version_ex's six. */
#define KVP_AUTO_LINUX 10u
#define KVP_AUTO_MAX 16u
/* One auto-pool entry in the wire's UTF-16, while it is answered. */
static uint8_t auto_key[IC_KVP_MAX_KEY], auto_val[IC_KVP_MAX_VALUE];

/* The used slot of pool holding key, or NULL. */
static struct kvp_slot *kvp_find(struct kvp_slot *pool, const uint8_t *key, uint32_t size)
{
	struct kvp_slot *found = NULL;

	for (uint32_t i = 0; i < KVP_SLOTS && found == NULL; i++)
		if (pool[i].used && pool[i].key_size == size && memcmp(pool[i].key, key, size) == 0)
			found = &pool[i];
	return found;
}

/* The answer for one slot, or IC_E_FAIL when there is none. */
static int kvp_answer_slot(uint8_t *pkt, uint32_t len, const struct kvp_slot *s)
{
	if (s == NULL)
		return ic_answer_inplace(pkt, len, IC_E_FAIL);
	return ic_kvp_answer(pkt, len, IC_S_OK, s->type, s->key, s->key_size, s->value,
			     s->value_size);
}

/* The auto pool's value at index (< KVP_AUTO_MAX), or NULL past its end; num holds numbers. */
static const char *kvp_auto_value(uint32_t index, char num[12])
{
	const struct os_version_ex *vx = os_version_ex();
	uint32_t extra = 0;

	switch (index) {
	case IC_KVP_AUTO_FQDN: return os_computer_name();
	case IC_KVP_AUTO_INTEGRATION_VERSION: return "0.1.0";
	case IC_KVP_AUTO_IPV4: case IC_KVP_AUTO_IPV6: return "";
	case IC_KVP_AUTO_OS_NAME: return os_name();
	case IC_KVP_AUTO_OS_MAJOR: return "0";
	case IC_KVP_AUTO_OS_MINOR: return "1";
	case IC_KVP_AUTO_ARCH: return "x86_64";
	case IC_KVP_AUTO_OS_BUILD: case IC_KVP_AUTO_OS_VERSION: return os_version();
	case KVP_AUTO_LINUX: return vx ? vx->csd_version : NULL;
	case KVP_AUTO_LINUX + 1: extra = vx ? vx->sp_major : 0; break;
	case KVP_AUTO_LINUX + 2: extra = vx ? vx->sp_minor : 0; break;
	case KVP_AUTO_LINUX + 3: extra = vx ? vx->suite_mask : 0; break;
	case KVP_AUTO_LINUX + 4: extra = vx ? vx->product_type : 0; break;
	case KVP_AUTO_LINUX + 5: extra = vx ? vx->platform_id : 0; break;
	default: return NULL;
	}
	if (vx == NULL)
		return NULL;
	fmt_snprintf(num, 12, "%u", extra);
	return num;
}

/* Entry index of the auto pool: 0 with key and value, 1 past the end, -1 if too long. */
static int kvp_auto(uint32_t index, uint8_t *key, uint32_t *ksize, uint8_t *val, uint32_t *vsize)
{
	static const char *const names[KVP_AUTO_MAX] = { "FullyQualifiedDomainName",
		"IntegrationServicesVersion", "NetworkAddressIPv4", "NetworkAddressIPv6",
		"OSBuildNumber", "OSName", "OSMajorVersion", "OSMinorVersion", "OSVersion",
		"ProcessorArchitecture", "CSDVersion", "ServicePackMajor", "ServicePackMinor",
		"SuiteMask", "ProductType", "OSPlatformId" };
	char num[12];
	const char *v = index < KVP_AUTO_MAX ? kvp_auto_value(index, num) : NULL;
	int k, n;

	if (v == NULL)
		return 1;
	k = ic_utf16_from_ascii(names[index], strlen(names[index]), key, IC_KVP_MAX_KEY);
	n = ic_utf16_from_ascii(v, strlen(v), val, IC_KVP_MAX_VALUE);
	if (k < 0 || n < 0)
		return -1;
	*ksize = (uint32_t)k;
	*vsize = (uint32_t)n;
	return 0;
}

/* GET from the auto pool: the generated values, looked up by name. */
static int kvp_get_auto(uint8_t *pkt, uint32_t len, const struct ic_kvp *k)
{
	uint32_t ks, vs;

	for (uint32_t i = 0; kvp_auto(i, auto_key, &ks, auto_val, &vs) == 0; i++)
		if (ks == k->key_size && memcmp(auto_key, k->key, ks) == 0)
			return ic_kvp_answer(pkt, len, IC_S_OK, IC_KVP_REG_SZ, auto_key, ks, auto_val,
					     vs);
	return ic_answer_inplace(pkt, len, IC_E_FAIL);
}

static int kvp_enumerate_auto(uint8_t *pkt, uint32_t len, uint32_t index)
{
	uint32_t ks, vs;
	int a = kvp_auto(index, auto_key, &ks, auto_val, &vs);

	if (a == 0)
		return ic_kvp_answer(pkt, len, IC_S_OK, IC_KVP_REG_SZ, auto_key, ks, auto_val, vs);
	return ic_answer_inplace(pkt, len, a > 0 ? IC_S_CONT : IC_E_FAIL);
}

/* SET: replaces the key's value or takes a free slot; the auto pool is read-only. */
static int kvp_set(uint8_t *pkt, uint32_t len, struct kvp_slot *pool, const struct ic_kvp *k)
{
	struct kvp_slot *s = kvp_find(pool, k->key, k->key_size);
	char name[64];

	for (uint32_t i = 0; i < KVP_SLOTS && s == NULL; i++)
		if (!pool[i].used)
			s = &pool[i];
	if (s == NULL || k->pool == IC_KVP_POOL_AUTO)
		return ic_answer_inplace(pkt, len, IC_E_FAIL);
	s->used = true;
	s->type = k->value_type;
	s->key_size = k->key_size;
	s->value_size = k->value_size;
	memcpy(s->key, k->key, k->key_size);
	memcpy(s->value, k->value, k->value_size);
	if (ic_utf16_to_ascii(k->key, k->key_size, name, sizeof(name)) >= 0)
		os_log("kvp: set %s (pool %u)", name, k->pool);
	return ic_answer_inplace(pkt, len, IC_S_OK);
}

static int kvp_delete(uint8_t *pkt, uint32_t len, struct kvp_slot *pool, const struct ic_kvp *k)
{
	struct kvp_slot *s = kvp_find(pool, k->key, k->key_size);

	if (s == NULL)
		return ic_answer_inplace(pkt, len, IC_E_FAIL);
	s->used = false;
	return ic_answer_inplace(pkt, len, IC_S_OK);
}

/* ENUMERATE: the index-th used slot; IC_S_CONT past the last. */
static int kvp_enumerate(uint8_t *pkt, uint32_t len, struct kvp_slot *pool, uint32_t index)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < KVP_SLOTS; i++)
		if (pool[i].used && n++ == index)
			return kvp_answer_slot(pkt, len, &pool[i]);
	return ic_answer_inplace(pkt, len, IC_S_CONT);
}

/* The answer to one parsed KVP request, built in place in pkt. */
static int kvp_dispatch(uint8_t *pkt, uint32_t len, const struct ic_kvp *k)
{
	struct kvp_slot *pool = kvp_store[k->pool % IC_KVP_POOL_COUNT];
	bool auto_pool = k->pool == IC_KVP_POOL_AUTO;

	switch (k->op) {
	case IC_KVP_OP_ENUMERATE:
		return auto_pool ? kvp_enumerate_auto(pkt, len, k->index) :
				   kvp_enumerate(pkt, len, pool, k->index);
	case IC_KVP_OP_GET:
		return auto_pool ? kvp_get_auto(pkt, len, k) :
				   kvp_answer_slot(pkt, len, kvp_find(pool, k->key, k->key_size));
	case IC_KVP_OP_SET:
		return kvp_set(pkt, len, pool, k);
	case IC_KVP_OP_DELETE:
		return kvp_delete(pkt, len, pool, k);
	default:
		return ic_answer_inplace(pkt, len, IC_E_NOT_SUPPORTED);
	}
}

int additions_kvp_answer(uint8_t *pkt, uint32_t len)
{
	struct ic_msg m;
	struct ic_kvp k;
	int r = ic_parse(pkt, len, &m);

	if (r < 0)
		return r;
	r = ic_kvp_parse(&m, &k);
	if (r == -VMBUS_E_UNKNOWN)
		return ic_answer_inplace(pkt, len, IC_E_NOT_SUPPORTED);
	return r < 0 ? r : kvp_dispatch(pkt, len, &k);
}
