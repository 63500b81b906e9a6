// SPDX-License-Identifier: GPL-2.0
/* KUnit suite nmr_ntcompat: the Windows names of nmr_ntcompat.h (EXT-6). */
#include <nmr/nmr_ntcompat.h>
#include "nmr_test.h"

/* EXT-6: every row of the contract's status table maps both ways. */
static void ext6_status_table_round_trip(struct kunit *test)
{
	static const struct {
		int err;
		NTSTATUS status;
	} rows[] = {
		{ 0, STATUS_SUCCESS },
		{ -EINPROGRESS, STATUS_PENDING },
		{ -ENODEV, STATUS_NOINTERFACE },
		{ -ENOMEM, STATUS_INSUFFICIENT_RESOURCES },
		{ -EINVAL, STATUS_INVALID_PARAMETER },
		{ -EBADF, STATUS_INVALID_PARAMETER_1 },
		{ -EALREADY, STATUS_INVALID_DEVICE_STATE },
		{ -EDEADLK, STATUS_POSSIBLE_DEADLOCK },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		KUNIT_EXPECT_EQ(test, (__force s32)nmr_errno_to_ntstatus(rows[i].err),
				(__force s32)rows[i].status);
		KUNIT_EXPECT_EQ(test, nmr_ntstatus_to_errno(rows[i].status), rows[i].err);
	}
	KUNIT_EXPECT_EQ(test, (__force u32)STATUS_PENDING, 0x103u);
	KUNIT_EXPECT_EQ(test, (__force u32)STATUS_NOINTERFACE, 0xC00002B9u);
	KUNIT_EXPECT_TRUE(test, NT_SUCCESS(STATUS_PENDING));	/* pending is no failure */
	KUNIT_EXPECT_FALSE(test, NT_SUCCESS(STATUS_NOINTERFACE));
	KUNIT_EXPECT_EQ(test, (__force s32)nmr_errno_to_ntstatus(-EPERM),
			(__force s32)STATUS_UNSUCCESSFUL);
	KUNIT_EXPECT_EQ(test, nmr_ntstatus_to_errno((__force NTSTATUS)0xC0000022), -EIO);
}

static NTSTATUS nt_detach_pending(void *ctx)
{
	return STATUS_PENDING;
}

NMR_NT_DEFINE_CLIENT_DETACH_PROVIDER(nt_detach_pending);

static NTSTATUS nt_attach_declines(struct nmr_binding *binding, void *ctx,
				   const struct nmr_registration_instance *provider)
{
	return STATUS_NOINTERFACE;
}

NMR_NT_DEFINE_CLIENT_ATTACH_PROVIDER(nt_attach_declines);

/* EXT-6: a Windows-style callback's NTSTATUS reaches the NMR as the errno it means. */
static void ext6_callback_adapters(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, nt_detach_pending_errno(NULL), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, nt_attach_declines_errno(NULL, NULL, NULL), -ENODEV);
}

/* EXT-6: the Nmr* calls return the Windows statuses for the same outcomes. */
static void ext6_windows_calls(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	NMR_PROVIDER_HANDLE ph = NULL;

	tp_expect_misuse(test);
	KUNIT_EXPECT_EQ(test, (__force s32)NmrRegisterProvider(NULL, p, &ph),
			(__force s32)STATUS_INVALID_PARAMETER);
	KUNIT_ASSERT_EQ(test, (__force s32)NmrRegisterProvider(&p->pchars, p, &p->provider),
			(__force s32)STATUS_SUCCESS);
	p->registered = true;
	KUNIT_ASSERT_EQ(test, (__force s32)NmrRegisterClient(&c->cchars, c, &c->client),
			(__force s32)STATUS_SUCCESS);
	c->registered = true;
	KUNIT_EXPECT_EQ(test, atomic_read(&c->attaches), 1);
	KUNIT_EXPECT_TRUE(test, NmrIsEqualNpiModuleId(c->cchars.registration.module_id, &c->mid));
	KUNIT_EXPECT_EQ(test, (__force s32)NmrWaitForClientDeregisterComplete(c->client),
			(__force s32)STATUS_INVALID_PARAMETER);		/* before deregistering */
	c->detach_ret = -EINPROGRESS;
	KUNIT_EXPECT_EQ(test, (__force s32)NmrDeregisterClient(c->client),
			(__force s32)STATUS_PENDING);
	c->deregistered = true;
	KUNIT_EXPECT_EQ(test, (__force s32)NmrDeregisterClient(c->client),
			(__force s32)STATUS_INVALID_DEVICE_STATE);	/* twice */
	NmrClientDetachProviderComplete(tp_bind(c, 0)->handle);
	KUNIT_EXPECT_EQ(test, (__force s32)NmrWaitForClientDeregisterComplete(c->client),
			(__force s32)STATUS_SUCCESS);
	c->waited = true;
	/* A dead handle: the wait says STATUS_INVALID_PARAMETER, as Windows documents. */
	KUNIT_EXPECT_EQ(test, (__force s32)NmrWaitForClientDeregisterComplete(c->client),
			(__force s32)STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, (__force s32)NmrDeregisterProvider(p->provider),
			(__force s32)STATUS_PENDING);
	p->deregistered = true;
	KUNIT_EXPECT_EQ(test, (__force s32)NmrWaitForProviderDeregisterComplete(p->provider),
			(__force s32)STATUS_SUCCESS);
	p->waited = true;
}

static struct kunit_case nmr_ntcompat_cases[] = {
	KUNIT_CASE(ext6_status_table_round_trip),
	KUNIT_CASE(ext6_callback_adapters),
	KUNIT_CASE(ext6_windows_calls),
	{}
};

static struct kunit_suite nmr_ntcompat_suite = {
	.name = "nmr_ntcompat",
	.init = nmr_test_init,
	.exit = nmr_test_exit,
	.test_cases = nmr_ntcompat_cases,
};

kunit_test_suite(nmr_ntcompat_suite);
