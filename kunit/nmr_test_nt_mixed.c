// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite nmr_nt_mixed: bindings between a Windows-style registration
 * (nmr_test_nt_util.c, written as Windows code is) and a Linux-style one (the
 * fixture of nmr_test_util.c), both ways (EXT-6). Each side must get exactly
 * what its peer registered: the same binding context and dispatch table, and a
 * pointer to the peer's own registration instance, read with its own names.
 */
#include <linux/preempt.h>

#include "nmr_test_nt.h"

/* EXT-6: a Windows-style client and a Linux-style provider, each seeing the other's own. */
static void ext6_mixed_windows_client_linux_provider(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	NT_PEER *c = nt_new(test, TRUE, "c");
	const struct nmr_registration_instance *ri;
	NT_BINDING *cb;
	struct tbind *pb;

	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	NT_ASSERT_STATUS(test, nt_register(c), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, atomic_read(&c->Attaches), 1);
	KUNIT_ASSERT_EQ(test, atomic_read(&p->attaches), 1);
	cb = nt_bind(c, 0);
	pb = tp_bind(p, 0);
	NT_EXPECT_STATUS(test, cb->AttachProviderStatus, STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, c->HandleSetInAttach);			/* REG-2 */
	KUNIT_EXPECT_PTR_EQ(test, c->SeenContext, (PVOID)c);
	/* The Windows client has the Linux provider's own context, table and instance. */
	KUNIT_EXPECT_PTR_EQ(test, cb->PeerBindingContext, (PVOID)pb);
	KUNIT_EXPECT_PTR_EQ(test, cb->PeerDispatch, (const VOID *)&p->dispatch);
	KUNIT_EXPECT_PTR_EQ(test, (const void *)cb->PeerRegistrationInstance,
			    (const void *)&p->pchars.registration);
	KUNIT_EXPECT_TRUE(test, IsEqualGUID(cb->PeerRegistrationInstance->NpiId, &tnpi_a));
	KUNIT_EXPECT_EQ(test, cb->PeerRegistrationInstance->ModuleId->Type, MIT_GUID);
	KUNIT_EXPECT_TRUE(test, NmrIsEqualNpiModuleId(cb->PeerRegistrationInstance->ModuleId,
						      (const void *)&p->mid));
	/* The Linux provider has the Windows client's, read with the Linux names. */
	KUNIT_EXPECT_PTR_EQ(test, pb->peer_ctx, (void *)cb);
	KUNIT_EXPECT_PTR_EQ(test, pb->peer_dispatch, (const void *)&c->Dispatch);
	ri = p->seen_peer_ri;
	KUNIT_EXPECT_PTR_EQ(test, (const void *)ri,
			    (const void *)&NtClientCharacteristics.ClientRegistrationInstance);
	KUNIT_EXPECT_TRUE(test, guid_equal(ri->npi_id, &tnpi_a));
	KUNIT_EXPECT_EQ(test, ri->number, 3);
	KUNIT_EXPECT_PTR_EQ(test, ri->npi_specific, (const void *)&NtClientSpecific);
	KUNIT_EXPECT_EQ(test, ri->module_id->type, NMR_MIT_GUID);
	KUNIT_EXPECT_TRUE(test, nmr_module_id_equal(ri->module_id,
						    (const void *)&NtClientModuleId));
	/* The two handles are the two sides of one binding. */
	KUNIT_EXPECT_EQ(test, tp_hid(cb->NmrBindingHandle), tp_hid(pb->handle));
	/* The Windows client leaves with STATUS_PENDING, and completes (DET-4). */
	c->DetachStatus = STATUS_PENDING;
	NT_EXPECT_STATUS(test, nt_deregister(c), STATUS_PENDING);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach p:attach c:detach p:detach");
	nt_complete(cb);
	NT_EXPECT_STATUS(test, nt_wait(c), STATUS_SUCCESS);
	KUNIT_EXPECT_STREQ(test, tp_events(test),
			   "c:attach p:attach c:detach p:detach c:cleanup p:cleanup");
	KUNIT_EXPECT_EQ(test, pb->cleaned, 1);
	tp_leave(test, p);
}

/* EXT-6: a Linux-style client and a Windows-style provider, the other way round. */
static void ext6_mixed_linux_client_windows_provider(struct kunit *test)
{
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	NT_PEER *p = nt_new(test, FALSE, "p");
	const struct nmr_registration_instance *ri;
	struct tbind *cb;
	NT_BINDING *pb;

	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	NT_ASSERT_STATUS(test, nt_register(p), STATUS_SUCCESS);	/* offers c inside */
	KUNIT_ASSERT_EQ(test, atomic_read(&c->attaches), 1);
	KUNIT_ASSERT_EQ(test, atomic_read(&p->Attaches), 1);
	cb = tp_bind(c, 0);
	pb = nt_bind(p, 0);
	KUNIT_EXPECT_TRUE(test, p->HandleSetInAttach);			/* REG-2 */
	KUNIT_EXPECT_PTR_EQ(test, p->SeenContext, (PVOID)p);
	/* The Windows provider has the Linux client's own context, table and instance. */
	KUNIT_EXPECT_PTR_EQ(test, pb->PeerBindingContext, (PVOID)cb);
	KUNIT_EXPECT_PTR_EQ(test, pb->PeerDispatch, (const VOID *)&c->dispatch);
	KUNIT_EXPECT_PTR_EQ(test, (const void *)pb->PeerRegistrationInstance,
			    (const void *)&c->cchars.registration);
	KUNIT_EXPECT_TRUE(test, IsEqualGUID(pb->PeerRegistrationInstance->NpiId, &tnpi_a));
	KUNIT_EXPECT_TRUE(test, NmrIsEqualNpiModuleId(pb->PeerRegistrationInstance->ModuleId,
						      (const void *)&c->mid));
	/* The Linux client has the Windows provider's. */
	KUNIT_EXPECT_PTR_EQ(test, cb->peer_ctx, (void *)pb);
	KUNIT_EXPECT_PTR_EQ(test, cb->peer_dispatch, (const void *)&p->Dispatch);
	ri = c->seen_peer_ri;
	KUNIT_EXPECT_PTR_EQ(test, (const void *)ri,
			    (const void *)&NtProviderCharacteristics.ProviderRegistrationInstance);
	KUNIT_EXPECT_TRUE(test, guid_equal(ri->npi_id, &tnpi_a));
	KUNIT_EXPECT_EQ(test, ri->number, 0);
	KUNIT_EXPECT_NULL(test, ri->npi_specific);
	KUNIT_EXPECT_TRUE(test, nmr_module_id_equal(ri->module_id,
						    (const void *)&NtProviderModuleId));
	KUNIT_EXPECT_EQ(test, tp_hid(cb->handle), tp_hid(pb->NmrBindingHandle));
	/* The Windows provider leaves with STATUS_PENDING, and completes. */
	p->DetachStatus = STATUS_PENDING;
	NT_EXPECT_STATUS(test, nt_deregister(p), STATUS_PENDING);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach p:attach p:detach c:detach");
	nt_complete(pb);
	NT_EXPECT_STATUS(test, nt_wait(p), STATUS_SUCCESS);
	KUNIT_EXPECT_STREQ(test, tp_events(test),
			   "c:attach p:attach p:detach c:detach c:cleanup p:cleanup");
	KUNIT_EXPECT_EQ(test, cb->cleaned, 1);
	tp_leave(test, c);
}

/* A Linux-style client that records what nmr_client_attach_provider() returned, per offer. */
struct lx_client {
	struct nmr_client_characteristics chars;
	struct nmr_module_id mid;
	struct nmr_client *handle;
	int offers;
	int ret[4];
};

static int lx_attach_provider(struct nmr_binding *binding, void *client_ctx,
			      const struct nmr_registration_instance *provider)
{
	struct lx_client *lx = client_ctx;
	const void *dispatch;
	void *ctx;
	int ret;

	ret = nmr_client_attach_provider(binding, lx, NULL, &ctx, &dispatch);
	if (lx->offers < ARRAY_SIZE(lx->ret))
		lx->ret[lx->offers++] = ret;
	return ret;
}

static int lx_detach_provider(void *client_binding_ctx)
{
	return 0;
}

static void lx_leave(void *data)
{
	struct lx_client *lx = data;

	if (lx->handle)
		nmr_deregister_client_sync(lx->handle);
}

/*
 * ATT-4, EXT-6: an attach result crosses the styles as the status or errno it
 * means: a Linux provider's errno reaches a Windows client as an NTSTATUS, a
 * Windows provider's NTSTATUS reaches a Linux client as an errno.
 */
static void ext6_mixed_attach_results_cross_over(struct kunit *test)
{
	static const int lerr[] = { -ENOMEM, -ENODEV, 0 };
	static const u32 nt_seen[] = { 0xC000009A, 0xC00002B9, 0x00000000 };
	static const u32 nt_result[] = { 0xC000009A, 0xC00002B9, 0xC0000022, 0x00000000 };
	static const int lx_seen[] = { -ENOMEM, -ENODEV, -EIO, 0 };
	struct lx_client *lx = kunit_kzalloc(test, sizeof(*lx), GFP_KERNEL);
	NT_PEER *c = nt_new(test, TRUE, "c");
	struct tpeer *p[ARRAY_SIZE(lerr)];
	NT_PEER *w[ARRAY_SIZE(nt_result)];
	int i;

	KUNIT_ASSERT_NOT_NULL(test, lx);
	for (i = 0; i < ARRAY_SIZE(lerr); i++) {
		p[i] = tp_new(test, false, "p", &tnpi_a);
		p[i]->attach_ret = lerr[i];
		KUNIT_ASSERT_EQ(test, tp_register(p[i]), 0);
	}
	NT_ASSERT_STATUS(test, nt_register(c), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, atomic_read(&c->BindingCount), ARRAY_SIZE(lerr));
	for (i = 0; i < ARRAY_SIZE(lerr); i++)
		NT_EXPECT_STATUS(test, nt_bind(c, i)->AttachProviderStatus,
				 (__force NTSTATUS)nt_seen[i]);
	nt_leave(test, c);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->Detaches), 1);	/* only the accepted one */
	for (i = 0; i < ARRAY_SIZE(lerr); i++)
		tp_leave(test, p[i]);

	/* The Windows providers on their own NPI, tnpi_b, for the Linux client. */
	for (i = 0; i < ARRAY_SIZE(nt_result); i++) {
		NPI_PROVIDER_CHARACTERISTICS *chars = kunit_kzalloc(test, sizeof(*chars),
								    GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, chars);
		*chars = NtProviderCharacteristics;
		chars->ProviderRegistrationInstance.NpiId = (const void *)&tnpi_b;
		w[i] = nt_new(test, FALSE, "w");
		w[i]->Characteristics = chars;
		w[i]->AttachStatus = (__force NTSTATUS)nt_result[i];
		NT_ASSERT_STATUS(test, nt_register(w[i]), STATUS_SUCCESS);
	}
	lx->mid.length = sizeof(lx->mid);
	lx->mid.type = NMR_MIT_GUID;
	lx->chars.length = sizeof(lx->chars);
	lx->chars.attach_provider = lx_attach_provider;
	lx->chars.detach_provider = lx_detach_provider;
	lx->chars.registration.npi_id = &tnpi_b;
	lx->chars.registration.module_id = &lx->mid;
	KUNIT_ASSERT_EQ(test, nmr_register_client(&lx->chars, lx, &lx->handle), 0);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, lx_leave, lx));
	KUNIT_ASSERT_EQ(test, lx->offers, ARRAY_SIZE(nt_result));
	for (i = 0; i < ARRAY_SIZE(nt_result); i++)
		KUNIT_EXPECT_EQ_MSG(test, lx->ret[i], lx_seen[i], "offer %d", i);
	KUNIT_EXPECT_EQ(test, nmr_deregister_client_sync(lx->handle), 0);
	lx->handle = NULL;
	for (i = 0; i < ARRAY_SIZE(nt_result); i++)
		nt_leave(test, w[i]);
	KUNIT_EXPECT_EQ(test, atomic_read(&w[ARRAY_SIZE(nt_result) - 1]->Cleanups), 1);
}

static void nt_restore_atomic(void *on)
{
	WRITE_ONCE(nmr_atomic_callbacks, !!on);
}

/* EXT-5: with atomic_callbacks=1 a Windows-style detach runs with preemption off, mixed too. */
static void ext5_mixed_windows_detach_in_atomic_mode(struct kunit *test)
{
	struct tpeer *p = tp_new(test, false, "p", &tnpi_a);
	NT_PEER *c = nt_new(test, TRUE, "c");
	void *old = (void *)(uintptr_t)READ_ONCE(nmr_atomic_callbacks);

	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, nt_restore_atomic, old));
	KUNIT_ASSERT_EQ(test, tp_register(p), 0);
	NT_ASSERT_STATUS(test, nt_register(c), STATUS_SUCCESS);
	WRITE_ONCE(nmr_atomic_callbacks, true);
	KUNIT_EXPECT_EQ(test, tp_deregister(p), -EINPROGRESS);
	KUNIT_EXPECT_EQ(test, tp_wait(p), 0);
	WRITE_ONCE(nmr_atomic_callbacks, false);
	KUNIT_EXPECT_EQ(test, nt_bind(c, 0)->Detached, 1);
	KUNIT_EXPECT_FALSE(test, nt_bind(c, 0)->DetachPreemptible);
	KUNIT_EXPECT_STREQ(test, tp_events(test),
			   "c:attach p:attach p:detach c:detach c:cleanup p:cleanup");
	nt_leave(test, c);
}

static struct kunit_case nmr_nt_mixed_cases[] = {
	KUNIT_CASE(ext6_mixed_windows_client_linux_provider),
	KUNIT_CASE(ext6_mixed_linux_client_windows_provider),
	KUNIT_CASE(ext6_mixed_attach_results_cross_over),
	KUNIT_CASE(ext5_mixed_windows_detach_in_atomic_mode),
	{}
};

static struct kunit_suite nmr_nt_mixed_suite = {
	.name = "nmr_nt_mixed",
	.init = nt_test_init,
	.exit = nt_test_exit,
	.test_cases = nmr_nt_mixed_cases,
};

kunit_test_suite(nmr_nt_mixed_suite);
