/*
 * libFuzzer target for the hv.cfg parser: any byte string must either
 * parse into a description that passes hvcfg_validate, or be refused with
 * a terminated message, without touching memory out of bounds.
 */
#include <hv/config_desc.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hvcfg cfg;
	struct hvcfg_error err;

	if (hvcfg_parse((const char *)data, size, &cfg, &err) == 0) {
		if (hvcfg_validate(&cfg, &err) != 0)
			abort(); /* the parser accepted what the validator refuses */
	} else if (strnlen(err.message, sizeof(err.message)) >= sizeof(err.message)) {
		abort();
	}
	return 0;
}
