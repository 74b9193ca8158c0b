/*
 * EPT: the entry encodings the core's stage-2 builder uses, the EPT
 * pointer, the vCPU's VPID and TLB invalidation (SDM Vol. 3, "The Extended
 * Page Table Mechanism (EPT)" and "Cached Translation Information").
 * Permissions R=1, W=2, X=4 are the core's STAGE2_* bits.
 */
#include "vmcs_fields.h"
#include "vmx.h"
#include "vmx_insn.h"
#include "vmx_msr.h"

#include <arch/x86.h>
#include <core/console.h>

#define EPT_RWX 7ull
#define EPT_MEMTYPE_SHIFT 3
#define EPT_MEMTYPE_UC 0ull
#define EPT_MEMTYPE_WB 6ull
#define EPT_LARGE (1ull << 7)
#define EPT_ADDR_MASK 0x000ffffffffff000ull
#define EPTP_WALK_4 (3ull << 3) /* page-walk length minus one */

static uint64_t ept_table(uint64_t table_hpa)
{
	return (table_hpa & EPT_ADDR_MASK) | EPT_RWX;
}

static uint64_t ept_leaf(uint64_t hpa, unsigned perms, enum stage2_memtype type,
			 unsigned level)
{
	uint64_t memtype = type == STAGE2_WB ? EPT_MEMTYPE_WB : EPT_MEMTYPE_UC;
	uint64_t e = (hpa & EPT_ADDR_MASK) | (perms & EPT_RWX) | memtype << EPT_MEMTYPE_SHIFT;

	return level >= 2 ? e | EPT_LARGE : e;
}

static bool ept_present(uint64_t entry)
{
	return (entry & EPT_RWX) != 0;
}

const struct stage2_format vmx_stage2_format = {
	.table = ept_table,
	.leaf = ept_leaf,
	.present = ept_present,
};

/* EPT pointer and VPID for this vCPU, with the TLBs for both flushed. */
int vmx_setup_ept(struct vmx_vcpu *vv, uint64_t stage2_root, uint32_t cpu)
{
	uint64_t caps = rdmsr(MSR_VMX_EPT_VPID_CAP);

	if (!(caps & EPT_CAP_WALK_4) || !(caps & EPT_CAP_WB)) {
		log_error("vmx: EPT lacks 4-level walks or write-back tables (caps 0x%llx)",
			  (unsigned long long)caps);
		return -1;
	}
	vv->ept_caps = caps;
	vv->eptp = (stage2_root & EPT_ADDR_MASK) | EPTP_WALK_4 | EPT_MEMTYPE_WB;
	vv->vpid = (uint16_t)(cpu + 1); /* VPID 0 belongs to the host */
	vmcs_write(VMCS_EPT_POINTER, vv->eptp);
	vmcs_write(VMCS_VPID, vv->vpid);
	if (caps & EPT_CAP_INVEPT_SINGLE)
		invept(INVEPT_SINGLE, vv->eptp);
	else if (caps & EPT_CAP_INVEPT_ALL)
		invept(INVEPT_ALL, 0);
	vmx_flush_guest_tlb(vv);
	return 0;
}

/* Drops the linear translations tagged with this vCPU's VPID. */
void vmx_flush_guest_tlb(struct vmx_vcpu *vv)
{
	if (vv->ept_caps & VPID_CAP_INVVPID_SINGLE)
		invvpid(INVVPID_SINGLE, vv->vpid);
	else if (vv->ept_caps & VPID_CAP_INVVPID_ALL)
		invvpid(INVVPID_ALL, 0);
}

/*
 * The core removed stage-2 mappings: drop the guest-physical and combined
 * translations cached for v's EPT on this CPU (v runs nowhere else).
 */
void vmx_stage2_flush(struct vcpu *v)
{
	struct vmx_vcpu *vv = to_vmx(v);

	if (vv->ept_caps & EPT_CAP_INVEPT_SINGLE)
		invept(INVEPT_SINGLE, vv->eptp);
	else
		invept(INVEPT_ALL, 0);
}
