// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite nmr_nt_strict: the strict handles of nmr_ntcompat.h (EXT-6). This
 * file is compiled with NMR_NT_STRICT_HANDLES, defined before the include as a
 * porter defines it: each kind of handle has its own type, and mixing them up
 * does not compile (scripts/nt-strict-check.sh proves that part). Its Windows
 * code binds with the default-mode Windows code of nmr_test_nt_util.c and with
 * the Linux-style fixture: one module, both modes.
 */
#define NMR_NT_STRICT_HANDLES
#include "nmr_test_nt.h"

/* Three handle types, and the calls and callback types take them. */
static_assert(!__same_type(NMR_CLIENT_HANDLE, NMR_BINDING_HANDLE));
static_assert(!__same_type(NMR_PROVIDER_HANDLE, NMR_BINDING_HANDLE));
static_assert(!__same_type(NMR_CLIENT_HANDLE, NMR_PROVIDER_HANDLE));
static_assert(__same_type(NmrRegisterClient,
			  NTSTATUS(const NPI_CLIENT_CHARACTERISTICS *, PVOID,
				   NMR_CLIENT_HANDLE *)));
static_assert(__same_type(NmrRegisterProvider,
			  NTSTATUS(const NPI_PROVIDER_CHARACTERISTICS *, PVOID,
				   NMR_PROVIDER_HANDLE *)));
static_assert(__same_type(NmrDeregisterClient, NTSTATUS(NMR_CLIENT_HANDLE)));
static_assert(__same_type(NmrWaitForProviderDeregisterComplete,
			  NTSTATUS(NMR_PROVIDER_HANDLE)));
static_assert(__same_type(NmrClientAttachProvider,
			  NTSTATUS(NMR_BINDING_HANDLE, PVOID, const void *, void **,
				   const void **)));
static_assert(__same_type(NmrProviderDetachClientComplete, VOID(NMR_BINDING_HANDLE)));
static_assert(__same_type(NPI_CLIENT_ATTACH_PROVIDER_FN,
			  NTSTATUS(NMR_BINDING_HANDLE, PVOID, PNPI_REGISTRATION_INSTANCE)));
static_assert(__same_type(NPI_PROVIDER_ATTACH_CLIENT_FN,
			  NTSTATUS(NMR_BINDING_HANDLE, PVOID, PNPI_REGISTRATION_INSTANCE, PVOID,
				   const void *, void **, const void **)));

/* ---- Windows code in the strict mode: the handles typed, nothing else changed ---- */

/* tnpi_a again */
DEFINE_GUID(StrictNpiId, 0x7e570000, 0x0000, 0x4e4d, 0x92, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	    0x0a);

static const NPI_MODULEID StrictModuleId = {
	sizeof(NPI_MODULEID),
	MIT_GUID,
	{ { 0x7e570000, 0x00c1, 0x4e4d, { 0x92, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x5c } } }
};

/* A strict-mode client or provider with one binding: its context and binding context. */
typedef struct _STRICT_PEER {
	struct list_head Link;			/* in strict_peers */
	BOOLEAN IsClient;
	NMR_CLIENT_HANDLE NmrClientHandle;
	NMR_PROVIDER_HANDLE NmrProviderHandle;
	NMR_BINDING_HANDLE NmrBindingHandle;
	PVOID PeerBindingContext;
	const VOID *PeerDispatch;
	PNPI_REGISTRATION_INSTANCE PeerRegistrationInstance;
	int Dispatch;
	BOOLEAN PendDetach;
	bool Registered, Deregistered, Waited;
	atomic_t Attaches, Detaches, Cleanups;
} STRICT_PEER;

static NPI_CLIENT_ATTACH_PROVIDER_FN StrictClientAttachProvider;
static NPI_CLIENT_DETACH_PROVIDER_FN StrictDetach;
static NPI_CLIENT_CLEANUP_BINDING_CONTEXT_FN StrictCleanup;
static NPI_PROVIDER_ATTACH_CLIENT_FN StrictProviderAttachClient;

static NTSTATUS StrictClientAttachProvider(NMR_BINDING_HANDLE NmrBindingHandle,
					   PVOID ClientContext,
					   PNPI_REGISTRATION_INSTANCE ProviderRegistrationInstance)
{
	STRICT_PEER *Client = ClientContext;

	atomic_inc(&Client->Attaches);
	Client->NmrBindingHandle = NmrBindingHandle;
	Client->PeerRegistrationInstance = ProviderRegistrationInstance;
	return NmrClientAttachProvider(NmrBindingHandle, Client, &Client->Dispatch,
				       &Client->PeerBindingContext, &Client->PeerDispatch);
}

static NTSTATUS StrictProviderAttachClient(NMR_BINDING_HANDLE NmrBindingHandle,
					   PVOID ProviderContext,
					   PNPI_REGISTRATION_INSTANCE ClientRegistrationInstance,
					   PVOID ClientBindingContext, const VOID *ClientDispatch,
					   PVOID *ProviderBindingContext,
					   const VOID **ProviderDispatch)
{
	STRICT_PEER *Provider = ProviderContext;

	atomic_inc(&Provider->Attaches);
	Provider->NmrBindingHandle = NmrBindingHandle;
	Provider->PeerRegistrationInstance = ClientRegistrationInstance;
	Provider->PeerBindingContext = ClientBindingContext;
	Provider->PeerDispatch = ClientDispatch;
	*ProviderBindingContext = Provider;
	*ProviderDispatch = &Provider->Dispatch;
	return STATUS_SUCCESS;
}

/* The detach and cleanup callbacks have one type for both roles. */
static NTSTATUS StrictDetach(PVOID BindingContext)
{
	STRICT_PEER *Peer = BindingContext;

	atomic_inc(&Peer->Detaches);
	return Peer->PendDetach ? STATUS_PENDING : STATUS_SUCCESS;
}

static VOID StrictCleanup(PVOID BindingContext)
{
	STRICT_PEER *Peer = BindingContext;

	atomic_inc(&Peer->Cleanups);
}

static const NPI_CLIENT_CHARACTERISTICS StrictClientCharacteristics = {
	0,
	sizeof(NPI_CLIENT_CHARACTERISTICS),
	StrictClientAttachProvider,
	StrictDetach,
	StrictCleanup,
	{ 0, sizeof(NPI_REGISTRATION_INSTANCE), &StrictNpiId, &StrictModuleId, 0, NULL },
};

static const NPI_PROVIDER_CHARACTERISTICS StrictProviderCharacteristics = {
	0,
	sizeof(NPI_PROVIDER_CHARACTERISTICS),
	StrictProviderAttachClient,
	StrictDetach,
	StrictCleanup,
	{ 0, sizeof(NPI_REGISTRATION_INSTANCE), &StrictNpiId, &StrictModuleId, 0, NULL },
};

/* ---- the tests' bookkeeping ---- */

static LIST_HEAD(strict_peers);

static STRICT_PEER *strict_new(struct kunit *test, BOOLEAN IsClient)
{
	STRICT_PEER *Peer = kunit_kzalloc(test, sizeof(*Peer), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, Peer);
	Peer->IsClient = IsClient;
	list_add_tail(&Peer->Link, &strict_peers);
	return Peer;
}

static NTSTATUS strict_deregister(STRICT_PEER *Peer)
{
	Peer->Deregistered = true;
	if (Peer->IsClient)
		return NmrDeregisterClient(Peer->NmrClientHandle);
	return NmrDeregisterProvider(Peer->NmrProviderHandle);
}

static NTSTATUS strict_wait(STRICT_PEER *Peer)
{
	NTSTATUS Status;

	if (Peer->IsClient)
		Status = NmrWaitForClientDeregisterComplete(Peer->NmrClientHandle);
	else
		Status = NmrWaitForProviderDeregisterComplete(Peer->NmrProviderHandle);
	if (Status == STATUS_SUCCESS)
		Peer->Waited = true;
	return Status;
}

static void strict_complete(STRICT_PEER *Peer)
{
	if (Peer->IsClient)
		NmrClientDetachProviderComplete(Peer->NmrBindingHandle);
	else
		NmrProviderDetachClientComplete(Peer->NmrBindingHandle);
}

struct strict_wait_work {
	struct work_struct work;
	struct completion done;
	STRICT_PEER *peer;
};

static void strict_wait_fn(struct work_struct *work)
{
	struct strict_wait_work *w = container_of(work, struct strict_wait_work, work);

	strict_wait(w->peer);
	complete(&w->done);
}

static int strict_test_init(struct kunit *test)
{
	INIT_LIST_HEAD(&strict_peers);
	return nt_test_init(test);
}

/* A test that stopped half-way: its strict-mode peers leave first, each wait bounded. */
static void strict_test_exit(struct kunit *test)
{
	struct strict_wait_work *w;
	STRICT_PEER *Peer;

	list_for_each_entry(Peer, &strict_peers, Link) {
		if (!Peer->Registered || Peer->Waited)
			continue;
		Peer->PendDetach = FALSE;
		if (!Peer->Deregistered)
			strict_deregister(Peer);
		if (atomic_read(&Peer->Detaches) && !atomic_read(&Peer->Cleanups))
			strict_complete(Peer);
		w = kzalloc(sizeof(*w), GFP_KERNEL);
		if (!w)
			continue;
		INIT_WORK(&w->work, strict_wait_fn);
		init_completion(&w->done);
		w->peer = Peer;
		queue_work(system_unbound_wq, &w->work);
		if (wait_for_completion_timeout(&w->done, msecs_to_jiffies(T_TIMEOUT_MS))) {
			flush_work(&w->work);
			kfree(w);
		} else {
			KUNIT_FAIL(test, "a strict-mode peer's wait never returned");
		}
	}
	INIT_LIST_HEAD(&strict_peers);
	nt_test_exit(test);
}

/*
 * EXT-6: a strict-mode client binds to a default-mode Windows provider of the
 * same module, and leaves with STATUS_PENDING, completed with its typed
 * binding handle; every status as in the default mode.
 */
static void ext6_strict_client_with_a_default_mode_provider(struct kunit *test)
{
	NT_PEER *p = nt_new(test, FALSE, "p");
	STRICT_PEER *c = strict_new(test, TRUE);
	NT_BINDING *pb;

	NT_ASSERT_STATUS(test, nt_register(p), STATUS_SUCCESS);
	NT_ASSERT_STATUS(test, NmrRegisterClient(&StrictClientCharacteristics, c,
						 &c->NmrClientHandle), STATUS_SUCCESS);
	c->Registered = true;
	KUNIT_ASSERT_EQ(test, atomic_read(&c->Attaches), 1);
	pb = nt_bind(p, 0);
	KUNIT_EXPECT_PTR_EQ(test, c->PeerBindingContext, (PVOID)pb);
	KUNIT_EXPECT_PTR_EQ(test, c->PeerDispatch, (const VOID *)&p->Dispatch);
	KUNIT_EXPECT_PTR_EQ(test, c->PeerRegistrationInstance,
			    &NtProviderCharacteristics.ProviderRegistrationInstance);
	KUNIT_EXPECT_PTR_EQ(test, pb->PeerBindingContext, (PVOID)c);
	KUNIT_EXPECT_PTR_EQ(test, pb->PeerDispatch, (const VOID *)&c->Dispatch);
	KUNIT_EXPECT_PTR_EQ(test, pb->PeerRegistrationInstance,
			    &StrictClientCharacteristics.ClientRegistrationInstance);
	KUNIT_EXPECT_EQ(test, tp_hid(c->NmrBindingHandle), tp_hid(pb->NmrBindingHandle));
	NT_EXPECT_STATUS(test, NmrWaitForClientDeregisterComplete(c->NmrClientHandle),
			 STATUS_INVALID_PARAMETER);
	c->PendDetach = TRUE;
	NT_EXPECT_STATUS(test, strict_deregister(c), STATUS_PENDING);
	NT_EXPECT_STATUS(test, NmrDeregisterClient(c->NmrClientHandle),
			 STATUS_INVALID_DEVICE_STATE);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->Detaches), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->Cleanups), 0);
	strict_complete(c);
	NT_EXPECT_STATUS(test, strict_wait(c), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->Cleanups), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->Cleanups), 1);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "p:attach p:detach p:cleanup");
	nt_leave(test, p);
}

/* EXT-6: a strict-mode provider and a Linux-style client, each seeing the other's own. */
static void ext6_strict_provider_with_a_linux_client(struct kunit *test)
{
	STRICT_PEER *p = strict_new(test, FALSE);
	struct tpeer *c = tp_new(test, true, "c", &tnpi_a);
	struct tbind *cb;

	NT_ASSERT_STATUS(test, NmrRegisterProvider(&StrictProviderCharacteristics, p,
						   &p->NmrProviderHandle), STATUS_SUCCESS);
	p->Registered = true;
	KUNIT_ASSERT_EQ(test, tp_register(c), 0);
	KUNIT_ASSERT_EQ(test, atomic_read(&p->Attaches), 1);
	cb = tp_bind(c, 0);
	KUNIT_EXPECT_PTR_EQ(test, cb->peer_ctx, (void *)p);
	KUNIT_EXPECT_PTR_EQ(test, cb->peer_dispatch, (const void *)&p->Dispatch);
	KUNIT_EXPECT_PTR_EQ(test, (PNPI_REGISTRATION_INSTANCE)(const void *)c->seen_peer_ri,
			    &StrictProviderCharacteristics.ProviderRegistrationInstance);
	KUNIT_EXPECT_TRUE(test, nmr_module_id_equal(c->seen_peer_ri->module_id,
						    (const void *)&StrictModuleId));
	KUNIT_EXPECT_PTR_EQ(test, p->PeerBindingContext, (PVOID)cb);
	KUNIT_EXPECT_PTR_EQ(test, p->PeerDispatch, (const VOID *)&c->dispatch);
	KUNIT_EXPECT_PTR_EQ(test, (const void *)p->PeerRegistrationInstance,
			    (const void *)&c->cchars.registration);
	KUNIT_EXPECT_EQ(test, tp_hid(p->NmrBindingHandle), tp_hid(cb->handle));
	p->PendDetach = TRUE;
	NT_EXPECT_STATUS(test, strict_deregister(p), STATUS_PENDING);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach c:detach");
	strict_complete(p);
	NT_EXPECT_STATUS(test, strict_wait(p), STATUS_SUCCESS);
	NT_EXPECT_STATUS(test, NmrWaitForProviderDeregisterComplete(p->NmrProviderHandle),
			 STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach c:detach c:cleanup");
	KUNIT_EXPECT_EQ(test, atomic_read(&p->Cleanups), 1);
	tp_leave(test, c);
}

static struct kunit_case nmr_nt_strict_cases[] = {
	KUNIT_CASE(ext6_strict_client_with_a_default_mode_provider),
	KUNIT_CASE(ext6_strict_provider_with_a_linux_client),
	{}
};

static struct kunit_suite nmr_nt_strict_suite = {
	.name = "nmr_nt_strict",
	.init = strict_test_init,
	.exit = strict_test_exit,
	.test_cases = nmr_nt_strict_cases,
};

kunit_test_suite(nmr_nt_strict_suite);
