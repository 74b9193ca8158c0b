/*
 * Chooses the virtualization backend at start-up.  Backends register
 * themselves with VENDOR_BACKEND() into the `vendor_backends` section;
 * the linker provides its bounds.
 */
#include <core/vendor.h>

extern const struct vcpu_vendor_ops *const __start_vendor_backends[]
	__attribute__((visibility("hidden")));
extern const struct vcpu_vendor_ops *const __stop_vendor_backends[]
	__attribute__((visibility("hidden")));

const struct vcpu_vendor_ops *vendor_select(void)
{
	for (const struct vcpu_vendor_ops *const *b = __start_vendor_backends;
	     b < __stop_vendor_backends; b++) {
		if ((*b)->detect())
			return *b;
	}
	return NULL;
}
