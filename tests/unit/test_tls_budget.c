/*
 * Unit tests of the TLS handshake budget (mgmt/tls/tls_budget.c): a token
 * bucket of CPU time that fills at a share of wall time up to a burst,
 * is charged after each step, and admits new handshakes while positive.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <tls/tls_budget.h>

/* Half of the time, bursts of one second: the root's figures. */
static void test_burst_then_share(void **state)
{
	struct tls_budget b;
	uint64_t now = 5000;
	unsigned admitted = 0;

	(void)state;
	tls_budget_init(&b, 500, 1000, now);
	/* A full second of handshakes at once (ten of 100 ms)... */
	for (int i = 0; i < 10; i++) {
		assert_true(tls_budget_admit(&b, now));
		tls_budget_charge(&b, 100000);
	}
	/* ... then none until time has refilled some of it. */
	assert_false(tls_budget_admit(&b, now));
	assert_true(tls_budget_admit(&b, now + 1));
	/*
	 * Offered a new 100 ms handshake every millisecond for 20 s, it
	 * admits what half of that time and the burst pay for, and no more.
	 */
	tls_budget_init(&b, 500, 1000, now);
	for (uint64_t t = now; t < now + 20000; t++) {
		if (tls_budget_admit(&b, t)) {
			tls_budget_charge(&b, 100000);
			admitted++;
		}
	}
	assert_in_range(admitted, 109, 111);   /* (1 s + 20 s / 2) / 100 ms */
}

/* A step is charged after it ran: one may overdraw; the debt is paid in time. */
static void test_overdraw(void **state)
{
	struct tls_budget b;

	(void)state;
	tls_budget_init(&b, 500, 1000, 0);
	assert_true(tls_budget_admit(&b, 0));
	tls_budget_charge(&b, 3000000);               /* 3 s: 2 s of debt */
	assert_false(tls_budget_admit(&b, 4000));     /* 2 s refilled: back to 0 */
	assert_true(tls_budget_admit(&b, 4002));
}

/* Idle time fills it to the burst and no further; time never runs backwards. */
static void test_cap_and_clock(void **state)
{
	struct tls_budget b;

	(void)state;
	tls_budget_init(&b, 500, 1000, 100);
	assert_true(tls_budget_admit(&b, 100 + 24 * 3600 * 1000ull));
	assert_int_equal(b.balance_us, 1000000);
	tls_budget_charge(&b, 1000000);
	assert_false(tls_budget_admit(&b, 50));         /* an older reading refills nothing */
	assert_int_equal(b.balance_us, 0);
	tls_budget_charge(&b, UINT64_MAX);             /* absurd charges stay in range */
	assert_true(b.balance_us < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_share),
		cmocka_unit_test(test_overdraw),
		cmocka_unit_test(test_cap_and_clock),
	};

	return cmocka_run_group_tests_name("tls_budget", tests, NULL, NULL);
}
