/*
 * <assert.h> for the third-party code in root.elf: mbedTLS's common.h
 * includes it for static_assert, which C11 gives as _Static_assert.  The
 * root has no run-time assert(); none of the code it builds calls one.
 */
#ifndef MGMT_LIBC_ASSERT_H
#define MGMT_LIBC_ASSERT_H

#define static_assert _Static_assert

#endif
