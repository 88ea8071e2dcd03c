/* SPDX-License-Identifier: BSD-3-Clause */
/* A shared object without the callout module entry points (a loader test). */
int weir_policy_test_not_a_module(void);

int weir_policy_test_not_a_module(void)
{
	return 42;
}
