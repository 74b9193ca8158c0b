/*
 * Rules shared by the hv.cfg parser and the binary validator, so that a
 * description is held to the same checks whether it comes from text (with
 * the offending key's line) or from the loader (with the partition's line).
 */
#ifndef LIB_HVCFG_INTERNAL_H
#define LIB_HVCFG_INTERNAL_H

#include <hv/hvcfg.h>

/* Fills *err and returns -1, so checks can `return hvcfg_fail(...)`. */
int hvcfg_fail(struct hvcfg_error *err, uint32_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Each checks partition idx on its own and against partitions 0..idx-1. */
int hvcfg_check_name(const struct hvcfg *cfg, uint32_t idx, uint32_t line,
		     struct hvcfg_error *err);
int hvcfg_check_cpus(const struct hvcfg *cfg, uint32_t idx, uint32_t line,
		     struct hvcfg_error *err);
int hvcfg_check_memory(const struct hvcfg *cfg, uint32_t idx, uint32_t line,
		       struct hvcfg_error *err);
int hvcfg_check_pci(const struct hvcfg *cfg, uint32_t idx, uint32_t line,
		    struct hvcfg_error *err);
int hvcfg_check_image(const struct hvcfg *cfg, uint32_t idx, uint32_t line,
		      struct hvcfg_error *err);
/* Keys a partition must have, checked when its section ends. */
int hvcfg_check_complete(const struct hvcfg *cfg, uint32_t idx,
			 struct hvcfg_error *err);
int hvcfg_check_hv_memory(const struct hvcfg *cfg, uint32_t line,
			  struct hvcfg_error *err);
/* Whole-file rules: hv options, exactly one root owning CPU 0. */
int hvcfg_check_global(const struct hvcfg *cfg, uint32_t line,
		       struct hvcfg_error *err);

#endif
