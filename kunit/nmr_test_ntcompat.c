// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite nmr_ntcompat: the Windows names of nmr_ntcompat.h (EXT-6). The
 * types and their bytes, the one NTSTATUS table, and the NTSTATUS of every
 * call and of every callback result, between Windows-style registrations
 * (nmr_test_nt_util.c). Mixed bindings are nmr_nt_mixed's, the strict handles
 * nmr_nt_strict's.
 */
#include <linux/sprintf.h>

#include "nmr_test_nt.h"

/* The default mode: every NMR handle is a HANDLE, as Windows declares them. */
static_assert(__same_type(NmrRegisterClient,
			  NTSTATUS(const NPI_CLIENT_CHARACTERISTICS *, PVOID, HANDLE *)));
static_assert(__same_type(NmrDeregisterProvider, NTSTATUS(HANDLE)));
static_assert(__same_type(NmrClientDetachProviderComplete, VOID(HANDLE)));
static_assert(__same_type(NPI_CLIENT_ATTACH_PROVIDER_FN,
			  NTSTATUS(HANDLE, PVOID, const NPI_REGISTRATION_INSTANCE *)));

/* msquic's NPI, {c43138e3-cd13-4cb1-9cae-e005c8557aba}, both ways Windows code writes one */
DEFINE_GUID(NtMsquicNpiId, 0xc43138e3, 0xcd13, 0x4cb1, 0x9c, 0xae, 0xe0, 0x05, 0xc8, 0x55, 0x7a,
	    0xba);
static const GUID NtMsquicNpiIdBraces = {
	0xC43138E3, 0xCD13, 0x4CB1, { 0x9C, 0xAE, 0xE0, 0x05, 0xC8, 0x55, 0x7A, 0xBA }
};

/* EXT-6: every pair of the table maps both ways, with the values Windows documents. */
static void ext6_status_table_both_ways(struct kunit *test)
{
	/* The oracle: Microsoft's numbers (ntstatus.h), the contract's errnos. */
	static const struct {
		u32 status;
		int err;
	} rows[] = {
		{ 0x00000000, 0 },		/* STATUS_SUCCESS */
		{ 0x00000103, -EINPROGRESS },	/* STATUS_PENDING */
		{ 0xC00002B9, -ENODEV },	/* STATUS_NOINTERFACE */
		{ 0xC000009A, -ENOMEM },	/* STATUS_INSUFFICIENT_RESOURCES */
		{ 0xC000000D, -EINVAL },	/* STATUS_INVALID_PARAMETER */
		{ 0xC00000EF, -EBADF },		/* STATUS_INVALID_PARAMETER_1 */
		{ 0xC0000184, -EALREADY },	/* STATUS_INVALID_DEVICE_STATE */
		{ 0xC0000194, -EDEADLK },	/* STATUS_POSSIBLE_DEADLOCK */
		{ 0xC0000001, -EIO },		/* STATUS_UNSUCCESSFUL */
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		NT_EXPECT_STATUS(test, nmr_errno_to_ntstatus(rows[i].err),
				 (__force NTSTATUS)rows[i].status);
		KUNIT_EXPECT_EQ(test, nmr_ntstatus_to_errno((__force NTSTATUS)rows[i].status),
				rows[i].err);
	}
	NT_EXPECT_STATUS(test, STATUS_SUCCESS, 0x00000000);
	NT_EXPECT_STATUS(test, STATUS_PENDING, 0x00000103);
	NT_EXPECT_STATUS(test, STATUS_NOINTERFACE, 0xC00002B9);
	NT_EXPECT_STATUS(test, STATUS_INSUFFICIENT_RESOURCES, 0xC000009A);
	NT_EXPECT_STATUS(test, STATUS_INVALID_PARAMETER, 0xC000000D);
	NT_EXPECT_STATUS(test, STATUS_INVALID_PARAMETER_1, 0xC00000EF);
	NT_EXPECT_STATUS(test, STATUS_INVALID_DEVICE_STATE, 0xC0000184);
	NT_EXPECT_STATUS(test, STATUS_POSSIBLE_DEADLOCK, 0xC0000194);
	NT_EXPECT_STATUS(test, STATUS_UNSUCCESSFUL, 0xC0000001);
	/* Outside the table: any errno is STATUS_UNSUCCESSFUL, any NTSTATUS -EIO. */
	NT_EXPECT_STATUS(test, nmr_errno_to_ntstatus(-EPERM), STATUS_UNSUCCESSFUL);
	KUNIT_EXPECT_EQ(test, nmr_ntstatus_to_errno((__force NTSTATUS)0xC0000022), -EIO);
	KUNIT_EXPECT_EQ(test, nmr_ntstatus_to_errno((__force NTSTATUS)0x00000102), -EIO);
	KUNIT_EXPECT_TRUE(test, NT_SUCCESS(STATUS_PENDING));	/* pending is no failure */
	KUNIT_EXPECT_FALSE(test, NT_SUCCESS(STATUS_NOINTERFACE));
}

/* EXT-6: a Windows GUID, from DEFINE_GUID() or braces, has the bytes Windows gives it. */
static void ext6_guid_has_windows_bytes(struct kunit *test)
{
	static const u8 bytes[16] = {
		0xe3, 0x38, 0x31, 0xc4, 0x13, 0xcd, 0xb1, 0x4c,
		0x9c, 0xae, 0xe0, 0x05, 0xc8, 0x55, 0x7a, 0xba,
	};
	const guid_t same = GUID_INIT(0xc43138e3, 0xcd13, 0x4cb1, 0x9c, 0xae, 0xe0, 0x05, 0xc8,
				      0x55, 0x7a, 0xba);
	const void *raw = &NtMsquicNpiId;
	char text[40];

	KUNIT_EXPECT_MEMEQ(test, &NtMsquicNpiId, bytes, sizeof(bytes));
	KUNIT_EXPECT_MEMEQ(test, &NtMsquicNpiIdBraces, bytes, sizeof(bytes));
	KUNIT_EXPECT_TRUE(test, guid_equal(raw, &same));
	KUNIT_EXPECT_TRUE(test, IsEqualGUID(&NtMsquicNpiId, &NtMsquicNpiIdBraces));
	KUNIT_EXPECT_EQ(test, NtMsquicNpiId.Data1, 0xc43138e3);
	KUNIT_EXPECT_EQ(test, NtMsquicNpiId.Data2, 0xcd13);
	KUNIT_EXPECT_EQ(test, NtMsquicNpiId.Data3, 0x4cb1);
	KUNIT_EXPECT_EQ(test, NtMsquicNpiId.Data4[7], 0xba);
	/* What debugfs, the trace events and the messages print: the Windows text. */
	snprintf(text, sizeof(text), "%pUl", &NtMsquicNpiId);
	KUNIT_EXPECT_STREQ(test, text, "c43138e3-cd13-4cb1-9cae-e005c8557aba");
}

/* EXT-6: each style reads the other's registration instance and module id with its own names. */
static void ext6_instances_read_by_either_style(struct kunit *test)
{
	static const struct nmr_module_id lmid = {
		.length = sizeof(lmid), .type = NMR_MIT_IF_LUID, .if_luid = 0x0000000500000007ULL,
	};
	static const struct nmr_registration_instance lri = {
		.version = 1, .size = sizeof(lri), .npi_id = &tnpi_a, .module_id = &lmid,
		.number = 9, .npi_specific = &lmid,
	};
	const struct nmr_registration_instance *l =
		__nmr_nt_linux_ri(&NtClientCharacteristics.ClientRegistrationInstance);
	PNPI_REGISTRATION_INSTANCE w = __nmr_nt_windows_ri(&lri);
	NPI_MODULEID wmid = NtClientModuleId;

	/* A Windows instance, through the Linux names. */
	KUNIT_EXPECT_TRUE(test, guid_equal(l->npi_id, &tnpi_a));	/* DEFINE_GUID's bytes */
	KUNIT_EXPECT_EQ(test, l->size, sizeof(NPI_REGISTRATION_INSTANCE));
	KUNIT_EXPECT_EQ(test, l->number, 3);
	KUNIT_EXPECT_PTR_EQ(test, l->npi_specific, (const void *)&NtClientSpecific);
	KUNIT_EXPECT_EQ(test, l->module_id->length, sizeof(struct nmr_module_id));
	KUNIT_EXPECT_EQ(test, l->module_id->type, NMR_MIT_GUID);
	KUNIT_EXPECT_EQ(test, l->module_id->guid.b[15], 0xc1);
	/* A Linux instance, through the Windows names. */
	KUNIT_EXPECT_EQ(test, w->Version, 1);
	KUNIT_EXPECT_EQ(test, w->Size, sizeof(lri));
	KUNIT_EXPECT_EQ(test, w->NpiId->Data1, 0x7e570000);
	KUNIT_EXPECT_EQ(test, w->NpiId->Data4[7], 0x0a);
	KUNIT_EXPECT_EQ(test, w->ModuleId->Type, MIT_IF_LUID);
	KUNIT_EXPECT_EQ(test, w->ModuleId->IfLuid.LowPart, 7);
	KUNIT_EXPECT_EQ(test, w->ModuleId->IfLuid.HighPart, 5);
	KUNIT_EXPECT_EQ(test, w->Number, 9);
	KUNIT_EXPECT_PTR_EQ(test, w->NpiSpecificCharacteristics, (const void *)&lmid);
	/* NmrIsEqualNpiModuleId: type and id compared, the length not. */
	KUNIT_EXPECT_TRUE(test, NmrIsEqualNpiModuleId(&wmid, &NtClientModuleId));
	wmid.Length = 0;
	KUNIT_EXPECT_TRUE(test, NmrIsEqualNpiModuleId(&wmid, &NtClientModuleId));
	KUNIT_EXPECT_FALSE(test, NmrIsEqualNpiModuleId(&NtClientModuleId, &NtProviderModuleId));
	wmid.Type = MIT_IF_LUID;
	wmid.IfLuid.LowPart = 7;
	wmid.IfLuid.HighPart = 5;
	KUNIT_EXPECT_TRUE(test, NmrIsEqualNpiModuleId(&wmid, w->ModuleId));
	KUNIT_EXPECT_FALSE(test, NmrIsEqualNpiModuleId(&wmid, &NtClientModuleId));
}

/* REG-1: characteristics that cannot work are STATUS_INVALID_PARAMETER, nothing registered. */
static void ext6_register_refuses_with_windows_statuses(struct kunit *test)
{
	NT_PEER *p = nt_new(test, FALSE, "p");
	NPI_CLIENT_CHARACTERISTICS *bad = kunit_kzalloc(test, sizeof(*bad), GFP_KERNEL);
	NPI_PROVIDER_CHARACTERISTICS *badp = kunit_kzalloc(test, sizeof(*badp), GFP_KERNEL);
	NPI_REGISTRATION_INSTANCE *ri;
	HANDLE h;
	int step;

	KUNIT_ASSERT_NOT_NULL(test, bad);
	KUNIT_ASSERT_NOT_NULL(test, badp);
	NT_ASSERT_STATUS(test, nt_register(p), STATUS_SUCCESS);
	tp_expect_misuse(test);
	h = (HANDLE)1;
	NT_EXPECT_STATUS(test, NmrRegisterClient(NULL, NULL, &h), STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_NULL(test, h);
	NT_EXPECT_STATUS(test, NmrRegisterClient(&NtClientCharacteristics, NULL, NULL),
			 STATUS_INVALID_PARAMETER);
	/* Filled in at run time, member by member, as msquic fills its own. */
	for (step = 0; step < 4; step++) {
		*bad = NtClientCharacteristics;
		ri = &bad->ClientRegistrationInstance;
		if (step == 0)
			bad->Length = sizeof(*bad) - 1;
		else if (step == 1)
			bad->ClientAttachProvider = NULL;
		else if (step == 2)
			bad->ClientDetachProvider = NULL;
		else
			ri->NpiId = NULL;
		h = (HANDLE)1;
		NT_EXPECT_STATUS(test, NmrRegisterClient(bad, NULL, &h), STATUS_INVALID_PARAMETER);
		KUNIT_EXPECT_NULL_MSG(test, h, "step %d", step);
	}
	for (step = 0; step < 3; step++) {
		*badp = NtProviderCharacteristics;
		if (step == 0)
			badp->Length = 0;
		else if (step == 1)
			badp->ProviderAttachClient = NULL;
		else
			badp->ProviderDetachClient = NULL;
		h = (HANDLE)1;
		NT_EXPECT_STATUS(test, NmrRegisterProvider(badp, NULL, &h),
				 STATUS_INVALID_PARAMETER);
		KUNIT_EXPECT_NULL_MSG(test, h, "step %d", step);
	}
	/* Nothing was registered, so nothing was offered to the provider. */
	KUNIT_EXPECT_EQ(test, atomic_read(&p->Attaches), 0);
	nt_leave(test, p);
}

/*
 * REG-2, REG-3, CLN-1: a Windows-style client and provider bind, each seeing
 * its own context and the other's binding context, dispatch table and
 * registration instance; no ClientCleanupBindingContext is needed.
 */
static void ext6_windows_pair_binds_and_leaves(struct kunit *test)
{
	NT_PEER *p = nt_new(test, FALSE, "p");
	NT_PEER *c = nt_new(test, TRUE, "c");
	NPI_CLIENT_CHARACTERISTICS *chars = kunit_kzalloc(test, sizeof(*chars), GFP_KERNEL);
	NT_BINDING *cb, *pb;

	KUNIT_ASSERT_NOT_NULL(test, chars);
	*chars = NtClientCharacteristics;
	chars->ClientCleanupBindingContext = NULL;	/* optional, as on Windows */
	c->Characteristics = chars;
	NT_ASSERT_STATUS(test, nt_register(p), STATUS_SUCCESS);
	NT_ASSERT_STATUS(test, nt_register(c), STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, atomic_read(&c->Attaches), 1);
	KUNIT_ASSERT_EQ(test, atomic_read(&p->Attaches), 1);
	cb = nt_bind(c, 0);
	pb = nt_bind(p, 0);
	NT_EXPECT_STATUS(test, cb->AttachProviderStatus, STATUS_SUCCESS);
	KUNIT_EXPECT_TRUE(test, c->HandleSetInAttach);			/* REG-2 */
	KUNIT_EXPECT_PTR_EQ(test, c->SeenContext, (PVOID)c);
	KUNIT_EXPECT_PTR_EQ(test, p->SeenContext, (PVOID)p);
	KUNIT_EXPECT_PTR_EQ(test, cb->PeerBindingContext, (PVOID)pb);
	KUNIT_EXPECT_PTR_EQ(test, cb->PeerDispatch, (const VOID *)&p->Dispatch);
	KUNIT_EXPECT_PTR_EQ(test, pb->PeerBindingContext, (PVOID)cb);
	KUNIT_EXPECT_PTR_EQ(test, pb->PeerDispatch, (const VOID *)&c->Dispatch);
	/* REG-3: the very instances registered, not copies. */
	KUNIT_EXPECT_PTR_EQ(test, cb->PeerRegistrationInstance,
			    &NtProviderCharacteristics.ProviderRegistrationInstance);
	KUNIT_EXPECT_PTR_EQ(test, pb->PeerRegistrationInstance,
			    (PNPI_REGISTRATION_INSTANCE)&chars->ClientRegistrationInstance);
	KUNIT_EXPECT_EQ(test, pb->PeerRegistrationInstance->Number, 3);
	KUNIT_EXPECT_TRUE(test, NmrIsEqualNpiModuleId(pb->PeerRegistrationInstance->ModuleId,
						      &NtClientModuleId));
	KUNIT_EXPECT_EQ(test, tp_hid(cb->NmrBindingHandle), tp_hid(pb->NmrBindingHandle));
	nt_leave(test, c);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach p:attach c:detach p:detach p:cleanup");
	nt_leave(test, p);
}

/* HDL-2, HDL-3, DRG-1: the deregister and wait calls return what Windows documents. */
static void ext6_deregister_and_wait_statuses(struct kunit *test)
{
	NT_PEER *p = nt_new(test, FALSE, "p");
	NT_PEER *c = nt_new(test, TRUE, "c");

	NT_ASSERT_STATUS(test, nt_register(p), STATUS_SUCCESS);
	NT_ASSERT_STATUS(test, nt_register(c), STATUS_SUCCESS);
	tp_expect_misuse(test);
	/* Waiting before deregistering: STATUS_INVALID_PARAMETER, as Windows says (HDL-3). */
	NT_EXPECT_STATUS(test, NmrWaitForClientDeregisterComplete(c->NmrHandle),
			 STATUS_INVALID_PARAMETER);
	NT_EXPECT_STATUS(test, NmrWaitForProviderDeregisterComplete(p->NmrHandle),
			 STATUS_INVALID_PARAMETER);
	/* NULL, and a handle of the other kind, which HANDLE lets compile (HDL-2). */
	NT_EXPECT_STATUS(test, NmrDeregisterClient(NULL), STATUS_INVALID_PARAMETER);
	NT_EXPECT_STATUS(test, NmrDeregisterProvider(NULL), STATUS_INVALID_PARAMETER);
	NT_EXPECT_STATUS(test, NmrWaitForClientDeregisterComplete(NULL), STATUS_INVALID_PARAMETER);
	NT_EXPECT_STATUS(test, NmrDeregisterProvider(c->NmrHandle), STATUS_INVALID_PARAMETER_1);
	NT_EXPECT_STATUS(test, NmrDeregisterClient(p->NmrHandle), STATUS_INVALID_PARAMETER_1);
	NT_EXPECT_STATUS(test, NmrDeregisterClient(nt_bind(c, 0)->NmrBindingHandle),
			 STATUS_INVALID_PARAMETER_1);
	NT_EXPECT_STATUS(test, NmrWaitForProviderDeregisterComplete(c->NmrHandle),
			 STATUS_INVALID_PARAMETER);
	/* Deregistering: STATUS_PENDING, which is success; twice: not a valid state. */
	NT_EXPECT_STATUS(test, nt_deregister(c), STATUS_PENDING);
	NT_EXPECT_STATUS(test, NmrDeregisterClient(c->NmrHandle), STATUS_INVALID_DEVICE_STATE);
	NT_EXPECT_STATUS(test, nt_wait(c), STATUS_SUCCESS);
	/* A dead handle: STATUS_INVALID_PARAMETER from a wait, _1 from a deregister. */
	NT_EXPECT_STATUS(test, NmrWaitForClientDeregisterComplete(c->NmrHandle),
			 STATUS_INVALID_PARAMETER);
	NT_EXPECT_STATUS(test, NmrDeregisterClient(c->NmrHandle), STATUS_INVALID_PARAMETER_1);
	NT_EXPECT_STATUS(test, nt_deregister(p), STATUS_PENDING);
	NT_EXPECT_STATUS(test, NmrDeregisterProvider(p->NmrHandle), STATUS_INVALID_DEVICE_STATE);
	NT_EXPECT_STATUS(test, nt_wait(p), STATUS_SUCCESS);
	NT_EXPECT_STATUS(test, NmrWaitForProviderDeregisterComplete(p->NmrHandle),
			 STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_STREQ(test, tp_events(test),
			   "c:attach p:attach c:detach p:detach c:cleanup p:cleanup");
}

/* HDL-4: a wait that could never return is STATUS_POSSIBLE_DEADLOCK, from the detach. */
static void nt_wait_self_hook(NT_PEER *Peer, NT_BINDING *Binding, enum tp_event Event)
{
	NTSTATUS *seen = Peer->HookData;

	if (Event == TP_DETACH)
		*seen = NmrWaitForClientDeregisterComplete(Peer->NmrHandle);
}

static void ext6_wait_in_own_detach_possible_deadlock(struct kunit *test)
{
	NT_PEER *p = nt_new(test, FALSE, "p");
	NT_PEER *c = nt_new(test, TRUE, "c");
	NTSTATUS seen = STATUS_SUCCESS;

	NT_ASSERT_STATUS(test, nt_register(p), STATUS_SUCCESS);
	NT_ASSERT_STATUS(test, nt_register(c), STATUS_SUCCESS);
	c->Hook = nt_wait_self_hook;
	c->HookData = &seen;
	tp_expect_misuse(test);
	nt_leave(test, c);
	NT_EXPECT_STATUS(test, seen, STATUS_POSSIBLE_DEADLOCK);
	nt_leave(test, p);
}

/* ATT-6: a second NmrClientAttachProvider() on an attached binding. */
static void nt_attach_twice_hook(NT_PEER *Peer, NT_BINDING *Binding, enum tp_event Event)
{
	NTSTATUS *seen = Peer->HookData;
	const VOID *Dispatch;
	PVOID Context;

	if (Event != TP_ATTACHED)
		return;
	seen[0] = NmrClientAttachProvider(Binding->NmrBindingHandle, Binding, NULL, &Context,
					  &Dispatch);
	seen[1] = NmrClientAttachProvider(NULL, Binding, NULL, &Context, &Dispatch);
	seen[2] = NmrClientAttachProvider(Peer->NmrHandle, Binding, NULL, &Context, &Dispatch);
}

/*
 * ATT-4, ATT-5, ATT-6: the provider's NTSTATUS comes back from
 * NmrClientAttachProvider(): a decline, an error of the table, an error
 * outside it; and the misuses of the call.
 */
static void ext6_attach_statuses(struct kunit *test)
{
	static const u32 results[] = { 0xC00002B9, 0xC000009A, 0xC0000022 };
	static const u32 seen_by_client[] = { 0xC00002B9, 0xC000009A, 0xC0000001 };
	NTSTATUS seen[3] = {};
	NT_PEER *p, *c;
	int i;

	for (i = 0; i < ARRAY_SIZE(results); i++) {
		p = nt_new(test, FALSE, "p");
		c = nt_new(test, TRUE, "c");
		p->AttachStatus = (__force NTSTATUS)results[i];
		NT_ASSERT_STATUS(test, nt_register(p), STATUS_SUCCESS);
		NT_ASSERT_STATUS(test, nt_register(c), STATUS_SUCCESS);
		KUNIT_EXPECT_EQ(test, atomic_read(&p->Attaches), 1);
		NT_EXPECT_STATUS(test, nt_bind(c, 0)->AttachProviderStatus,
				 (__force NTSTATUS)seen_by_client[i]);
		nt_leave(test, c);
		nt_leave(test, p);
		KUNIT_EXPECT_EQ(test, atomic_read(&c->Detaches) + atomic_read(&p->Detaches), 0);
	}
	/* A client that declines without asking: the provider is never called. */
	p = nt_new(test, FALSE, "p");
	c = nt_new(test, TRUE, "c");
	c->NoAttach = TRUE;
	c->AttachStatus = STATUS_NOINTERFACE;
	NT_ASSERT_STATUS(test, nt_register(p), STATUS_SUCCESS);
	NT_ASSERT_STATUS(test, nt_register(c), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->Attaches), 0);
	nt_leave(test, c);
	/* Attached, then again; NULL; a registration handle for the binding. */
	c = nt_new(test, TRUE, "c");
	c->Hook = nt_attach_twice_hook;
	c->HookData = seen;
	tp_expect_misuse(test);
	NT_ASSERT_STATUS(test, nt_register(c), STATUS_SUCCESS);
	NT_EXPECT_STATUS(test, nt_bind(c, 0)->AttachProviderStatus, STATUS_SUCCESS);
	NT_EXPECT_STATUS(test, seen[0], STATUS_INVALID_DEVICE_STATE);
	NT_EXPECT_STATUS(test, seen[1], STATUS_INVALID_PARAMETER);
	NT_EXPECT_STATUS(test, seen[2], STATUS_INVALID_PARAMETER_1);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->Attaches), 1);
	nt_leave(test, c);
	nt_leave(test, p);
}

/*
 * DET-4, DET-5, CLN-1: STATUS_PENDING from either detach callback holds the
 * cleanups until the *DetachComplete() call; STATUS_SUCCESS does not; an
 * NTSTATUS that is neither is taken as done.
 */
static void ext6_detach_statuses(struct kunit *test)
{
	NT_PEER *p = nt_new(test, FALSE, "p");
	NT_PEER *c = nt_new(test, TRUE, "c");
	NT_PEER *c2, *c3;

	NT_ASSERT_STATUS(test, nt_register(p), STATUS_SUCCESS);
	NT_ASSERT_STATUS(test, nt_register(c), STATUS_SUCCESS);
	/* The client pends; its completion runs both cleanups, client first. */
	c->DetachStatus = STATUS_PENDING;
	NT_EXPECT_STATUS(test, nt_deregister(c), STATUS_PENDING);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c:attach p:attach c:detach p:detach");
	KUNIT_EXPECT_EQ(test, atomic_read(&c->Cleanups) + atomic_read(&p->Cleanups), 0);
	nt_complete(nt_bind(c, 0));
	NT_EXPECT_STATUS(test, nt_wait(c), STATUS_SUCCESS);
	KUNIT_EXPECT_STREQ(test, tp_events(test),
			   "c:attach p:attach c:detach p:detach c:cleanup p:cleanup");
	tp_clear_events(test);
	/* The provider pends when it leaves; two clients, each completed. */
	c2 = nt_new(test, TRUE, "c2");
	c3 = nt_new(test, TRUE, "c3");
	NT_ASSERT_STATUS(test, nt_register(c2), STATUS_SUCCESS);
	NT_ASSERT_STATUS(test, nt_register(c3), STATUS_SUCCESS);
	p->DetachStatus = STATUS_PENDING;
	NT_EXPECT_STATUS(test, nt_deregister(p), STATUS_PENDING);
	KUNIT_EXPECT_STREQ(test, tp_events(test),
			   "c2:attach p:attach c3:attach p:attach p:detach c2:detach p:detach c3:detach");
	nt_complete(nt_bind(p, 1));
	nt_complete(nt_bind(p, 2));
	NT_EXPECT_STATUS(test, nt_wait(p), STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->Cleanups), 3);
	KUNIT_EXPECT_EQ(test, atomic_read(&c2->Cleanups) + atomic_read(&c3->Cleanups), 2);
	nt_leave(test, c2);
	nt_leave(test, c3);
	/* Neither STATUS_SUCCESS nor STATUS_PENDING: warned, and taken as done (DET-4). */
	p = nt_new(test, FALSE, "p2");
	c = nt_new(test, TRUE, "c4");
	c->DetachStatus = STATUS_UNSUCCESSFUL;
	NT_ASSERT_STATUS(test, nt_register(p), STATUS_SUCCESS);
	NT_ASSERT_STATUS(test, nt_register(c), STATUS_SUCCESS);
	tp_clear_events(test);
	NT_EXPECT_STATUS(test, nt_deregister(c), STATUS_PENDING);
	KUNIT_EXPECT_STREQ(test, tp_events(test), "c4:detach p2:detach c4:cleanup p2:cleanup");
	NT_EXPECT_STATUS(test, nt_wait(c), STATUS_SUCCESS);
	nt_leave(test, p);
}

/*
 * HDL-5, msquic's bug: NmrClientDetachProviderComplete() given the client's
 * registration handle. HANDLE lets it compile (strict handles would not); the
 * NMR reports it, counts it and changes nothing; the binding handle then works.
 */
static void ext6_complete_with_a_registration_handle(struct kunit *test)
{
	NT_PEER *p = nt_new(test, FALSE, "p");
	NT_PEER *c = nt_new(test, TRUE, "c");
	long misuses;

	NT_ASSERT_STATUS(test, nt_register(p), STATUS_SUCCESS);
	NT_ASSERT_STATUS(test, nt_register(c), STATUS_SUCCESS);
	c->DetachStatus = STATUS_PENDING;
	NT_EXPECT_STATUS(test, nt_deregister(p), STATUS_PENDING);
	tp_expect_misuse(test);
	misuses = tp_misuse_count();
	NmrClientDetachProviderComplete(c->NmrHandle);
	NmrProviderDetachClientComplete(nt_bind(c, 0)->NmrBindingHandle);	/* wrong side */
	KUNIT_EXPECT_EQ(test, tp_misuse_count(), misuses + 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->Cleanups) + atomic_read(&p->Cleanups), 0);
	nt_complete(nt_bind(c, 0));
	NT_EXPECT_STATUS(test, nt_wait(p), STATUS_SUCCESS);
	KUNIT_EXPECT_STREQ(test, tp_events(test),
			   "c:attach p:attach p:detach c:detach c:cleanup p:cleanup");
	nt_leave(test, c);
}

static struct kunit_case nmr_ntcompat_cases[] = {
	KUNIT_CASE(ext6_status_table_both_ways),
	KUNIT_CASE(ext6_guid_has_windows_bytes),
	KUNIT_CASE(ext6_instances_read_by_either_style),
	KUNIT_CASE(ext6_register_refuses_with_windows_statuses),
	KUNIT_CASE(ext6_windows_pair_binds_and_leaves),
	KUNIT_CASE(ext6_deregister_and_wait_statuses),
	KUNIT_CASE(ext6_wait_in_own_detach_possible_deadlock),
	KUNIT_CASE(ext6_attach_statuses),
	KUNIT_CASE(ext6_detach_statuses),
	KUNIT_CASE(ext6_complete_with_a_registration_handle),
	{}
};

static struct kunit_suite nmr_ntcompat_suite = {
	.name = "nmr_ntcompat",
	.init = nt_test_init,
	.exit = nt_test_exit,
	.test_cases = nmr_ntcompat_cases,
};

kunit_test_suite(nmr_ntcompat_suite);
