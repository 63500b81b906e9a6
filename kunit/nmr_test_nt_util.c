// SPDX-License-Identifier: GPL-2.0
/*
 * The Windows-style KUnit fixture behind nmr_test_nt.h. Its characteristics,
 * GUIDs and callbacks are declared exactly as Windows code declares them
 * (nothing here names a Linux NMR type); only the bookkeeping of the tests
 * (the event log, the counters, the bounded waits) is kernel code.
 */
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "nmr_test_nt.h"

/* ---- the Windows code ---- */

/* tnpi_a, {7e570000-0000-4e4d-9200-00000000000a}, the Windows way */
DEFINE_GUID(NtNpiA, 0x7e570000, 0x0000, 0x4e4d, 0x92, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a);

const NPI_MODULEID NtClientModuleId = {
	sizeof(NPI_MODULEID),
	MIT_GUID,
	{ { 0x7e570000, 0x00c1, 0x4e4d, { 0x92, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc1 } } }
};

const NPI_MODULEID NtProviderModuleId = {
	sizeof(NPI_MODULEID),
	MIT_GUID,
	{ { 0x7e570000, 0x00c1, 0x4e4d, { 0x92, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xd1 } } }
};

const ULONG NtClientSpecific = 0x4e54;	/* "NT" */

static NPI_CLIENT_ATTACH_PROVIDER_FN NtClientAttachProvider;
static NPI_CLIENT_DETACH_PROVIDER_FN NtClientDetachProvider;
static NPI_CLIENT_CLEANUP_BINDING_CONTEXT_FN NtClientCleanupBindingContext;
static NPI_PROVIDER_ATTACH_CLIENT_FN NtProviderAttachClient;
static NPI_PROVIDER_DETACH_CLIENT_FN NtProviderDetachClient;
static NPI_PROVIDER_CLEANUP_BINDING_CONTEXT_FN NtProviderCleanupBindingContext;

const NPI_CLIENT_CHARACTERISTICS NtClientCharacteristics = {
	0,
	sizeof(NPI_CLIENT_CHARACTERISTICS),
	NtClientAttachProvider,
	NtClientDetachProvider,
	NtClientCleanupBindingContext,
	{
		0,
		sizeof(NPI_REGISTRATION_INSTANCE),
		&NtNpiA,
		&NtClientModuleId,
		3,
		&NtClientSpecific,
	},
};

const NPI_PROVIDER_CHARACTERISTICS NtProviderCharacteristics = {
	0,
	sizeof(NPI_PROVIDER_CHARACTERISTICS),
	NtProviderAttachClient,
	NtProviderDetachClient,
	NtProviderCleanupBindingContext,
	{
		0,
		sizeof(NPI_REGISTRATION_INSTANCE),
		&NtNpiA,
		&NtProviderModuleId,
		0,
		NULL,
	},
};

/* ---- the bookkeeping ---- */

/* The Windows-style peers of the running test (KUnit runs one test at a time). */
static LIST_HEAD(nt_peers);
static atomic_t nt_poison_hits;

static void NtPoisonCheck(NT_PEER *Peer, const char *What)
{
	if (!READ_ONCE(Peer->Poisoned))
		return;
	/* DRG-3: a callback after the registration's wait returned. */
	atomic_inc(&nt_poison_hits);
	tp_log(Peer->Test, "%s:%s-AFTER-WAIT", Peer->Name, What);
}

static NT_BINDING *NtRecordAttach(NT_PEER *Peer, HANDLE NmrBindingHandle, PVOID Context,
				  PNPI_REGISTRATION_INSTANCE PeerRegistrationInstance)
{
	int i;

	NtPoisonCheck(Peer, "attach");
	atomic_inc(&Peer->Attaches);
	Peer->SeenContext = Context;
	Peer->HandleSetInAttach = !!READ_ONCE(Peer->NmrHandle);	/* REG-2 */
	tp_log(Peer->Test, "%s:attach", Peer->Name);
	i = atomic_inc_return(&Peer->BindingCount) - 1;
	if (WARN_ON(i >= NT_MAX_BINDINGS))
		return NULL;
	Peer->Bindings[i].Owner = Peer;
	Peer->Bindings[i].NmrBindingHandle = NmrBindingHandle;
	Peer->Bindings[i].PeerRegistrationInstance = PeerRegistrationInstance;
	return &Peer->Bindings[i];
}

static NTSTATUS NtDetach(NT_BINDING *Binding)
{
	NT_PEER *Peer = Binding->Owner;

	NtPoisonCheck(Peer, "detach");
	atomic_inc(&Peer->Detaches);
	Binding->Detached++;
	Binding->DetachPreemptible = preemptible();
	tp_log(Peer->Test, "%s:detach", Peer->Name);
	if (Peer->Hook)
		Peer->Hook(Peer, Binding, TP_DETACH);
	return Peer->DetachStatus;
}

static VOID NtCleanup(NT_BINDING *Binding)
{
	NT_PEER *Peer = Binding->Owner;

	NtPoisonCheck(Peer, "cleanup");
	atomic_inc(&Peer->Cleanups);
	Binding->Cleaned++;
	tp_log(Peer->Test, "%s:cleanup", Peer->Name);
	if (Peer->Hook)
		Peer->Hook(Peer, Binding, TP_CLEANUP);
}

/* ---- the callbacks, Windows style ---- */

static NTSTATUS NtClientAttachProvider(HANDLE NmrBindingHandle, PVOID ClientContext,
				       PNPI_REGISTRATION_INSTANCE ProviderRegistrationInstance)
{
	NT_PEER *Client = ClientContext;
	NT_BINDING *Binding;
	NTSTATUS Status;

	Binding = NtRecordAttach(Client, NmrBindingHandle, ClientContext,
				 ProviderRegistrationInstance);
	if (!Binding)
		return STATUS_NOINTERFACE;
	if (Client->Hook)
		Client->Hook(Client, Binding, TP_ATTACH);
	if (Client->NoAttach)
		return Client->AttachStatus;
	Status = NmrClientAttachProvider(NmrBindingHandle, Binding, &Client->Dispatch,
					 &Binding->PeerBindingContext, &Binding->PeerDispatch);
	Binding->AttachProviderStatus = Status;
	if (!NT_SUCCESS(Status))
		return Status;
	if (Client->Hook)
		Client->Hook(Client, Binding, TP_ATTACHED);
	return Client->AttachStatus;
}

static NTSTATUS NtClientDetachProvider(PVOID ClientBindingContext)
{
	return NtDetach(ClientBindingContext);
}

static VOID NtClientCleanupBindingContext(PVOID ClientBindingContext)
{
	NtCleanup(ClientBindingContext);
}

static NTSTATUS NtProviderAttachClient(HANDLE NmrBindingHandle, PVOID ProviderContext,
				       PNPI_REGISTRATION_INSTANCE ClientRegistrationInstance,
				       PVOID ClientBindingContext, const VOID *ClientDispatch,
				       PVOID *ProviderBindingContext,
				       const VOID **ProviderDispatch)
{
	NT_PEER *Provider = ProviderContext;
	NT_BINDING *Binding;

	Binding = NtRecordAttach(Provider, NmrBindingHandle, ProviderContext,
				 ClientRegistrationInstance);
	if (!Binding)
		return STATUS_NOINTERFACE;
	Binding->PeerBindingContext = ClientBindingContext;
	Binding->PeerDispatch = ClientDispatch;
	if (Provider->Hook)
		Provider->Hook(Provider, Binding, TP_ATTACH);
	if (Provider->AttachStatus != STATUS_SUCCESS)
		return Provider->AttachStatus;
	*ProviderBindingContext = Binding;
	*ProviderDispatch = &Provider->Dispatch;
	return STATUS_SUCCESS;
}

static NTSTATUS NtProviderDetachClient(PVOID ProviderBindingContext)
{
	return NtDetach(ProviderBindingContext);
}

static VOID NtProviderCleanupBindingContext(PVOID ProviderBindingContext)
{
	NtCleanup(ProviderBindingContext);
}

/* ---- the fixture's calls ---- */

NT_PEER *nt_new(struct kunit *test, BOOLEAN IsClient, const char *Name)
{
	NT_PEER *Peer = kunit_kzalloc(test, sizeof(*Peer), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, Peer);
	Peer->Test = test;
	Peer->IsClient = IsClient;
	strscpy(Peer->Name, Name, sizeof(Peer->Name));
	if (IsClient)
		Peer->Characteristics = &NtClientCharacteristics;
	else
		Peer->Characteristics = &NtProviderCharacteristics;
	Peer->AttachStatus = STATUS_SUCCESS;
	Peer->DetachStatus = STATUS_SUCCESS;
	list_add_tail(&Peer->Link, &nt_peers);
	return Peer;
}

NTSTATUS nt_register(NT_PEER *Peer)
{
	NTSTATUS Status;

	if (Peer->IsClient)
		Status = NmrRegisterClient(Peer->Characteristics, Peer, &Peer->NmrHandle);
	else
		Status = NmrRegisterProvider(Peer->Characteristics, Peer, &Peer->NmrHandle);
	if (NT_SUCCESS(Status))
		Peer->Registered = true;
	return Status;
}

NTSTATUS nt_deregister(NT_PEER *Peer)
{
	Peer->Deregistered = true;
	if (Peer->IsClient)
		return NmrDeregisterClient(Peer->NmrHandle);
	return NmrDeregisterProvider(Peer->NmrHandle);
}

NTSTATUS nt_wait(NT_PEER *Peer)
{
	NTSTATUS Status;

	if (Peer->IsClient)
		Status = NmrWaitForClientDeregisterComplete(Peer->NmrHandle);
	else
		Status = NmrWaitForProviderDeregisterComplete(Peer->NmrHandle);
	if (Status == STATUS_SUCCESS) {
		Peer->Waited = true;
		WRITE_ONCE(Peer->Poisoned, true);
	}
	return Status;
}

/* A registration leaves the Windows way: deregister (STATUS_PENDING, DRG-1), then wait. */
void nt_leave(struct kunit *test, NT_PEER *Peer)
{
	NT_EXPECT_STATUS(test, nt_deregister(Peer), STATUS_PENDING);
	NT_EXPECT_STATUS(test, nt_wait(Peer), STATUS_SUCCESS);
}

void nt_complete(NT_BINDING *Binding)
{
	if (Binding->Owner->IsClient)
		NmrClientDetachProviderComplete(Binding->NmrBindingHandle);
	else
		NmrProviderDetachClientComplete(Binding->NmrBindingHandle);
}

NT_BINDING *nt_bind(NT_PEER *Peer, int i)
{
	return &Peer->Bindings[i];
}

/* ---- per-test set-up and tear-down ---- */

int nt_test_init(struct kunit *test)
{
	INIT_LIST_HEAD(&nt_peers);
	atomic_set(&nt_poison_hits, 0);
	return nmr_test_init(test);
}

/* A bounded wait for a Windows-style peer, on a work item. */
struct nt_wait_work {
	struct work_struct work;
	struct completion done;
	NT_PEER *peer;
};

static void nt_wait_fn(struct work_struct *work)
{
	struct nt_wait_work *w = container_of(work, struct nt_wait_work, work);

	nt_wait(w->peer);
	complete(&w->done);
}

/*
 * A test that stopped half-way leaves registrations behind, of both styles:
 * the Windows-style ones deregister and complete first, then the fixture's
 * own leave (nmr_test_exit()), then the Windows-style waits, each bounded.
 */
void nt_test_exit(struct kunit *test)
{
	struct nt_wait_work *w;
	bool left = false;
	NT_PEER *Peer;
	int i;

	list_for_each_entry(Peer, &nt_peers, Link) {
		Peer->Hook = NULL;
		Peer->DetachStatus = STATUS_SUCCESS;
		if (Peer->Registered && !Peer->Waited)
			left = true;
	}
	if (left) {
		list_for_each_entry(Peer, &nt_peers, Link)
			if (Peer->Registered && !Peer->Deregistered)
				nt_deregister(Peer);
		list_for_each_entry(Peer, &nt_peers, Link)
			for (i = 0; i < atomic_read(&Peer->BindingCount); i++)
				if (Peer->Bindings[i].Detached && !Peer->Bindings[i].Cleaned)
					nt_complete(&Peer->Bindings[i]);
	}
	nmr_test_exit(test);
	list_for_each_entry(Peer, &nt_peers, Link) {
		if (!Peer->Registered || Peer->Waited)
			continue;
		w = kzalloc(sizeof(*w), GFP_KERNEL);
		if (!w)
			continue;
		INIT_WORK(&w->work, nt_wait_fn);
		init_completion(&w->done);
		w->peer = Peer;
		queue_work(system_unbound_wq, &w->work);
		if (wait_for_completion_timeout(&w->done, msecs_to_jiffies(T_TIMEOUT_MS))) {
			flush_work(&w->work);
			kfree(w);
		} else {
			/* An NMR bug: leak the work item rather than free it under its feet. */
			KUNIT_FAIL(test, "%s: its wait never returned", Peer->Name);
		}
	}
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&nt_poison_hits), 0,
			    "DRG-3: a Windows-style callback ran after its wait returned: %s",
			    tp_events(test));
	INIT_LIST_HEAD(&nt_peers);
}
