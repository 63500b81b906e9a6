/* SPDX-License-Identifier: GPL-2.0 */
/* The Windows-style KUnit fixture: test clients and providers written as Windows code is. */
#ifndef _NMR_TEST_NT_H
#define _NMR_TEST_NT_H

#include <nmr/nmr_ntcompat.h>
#include "nmr_test.h"

#define NT_MAX_BINDINGS 4

struct _NT_PEER;

/* One side's binding context of a Windows-style test peer. */
typedef struct _NT_BINDING {
	struct _NT_PEER *Owner;
	HANDLE NmrBindingHandle;		/* this side's handle */
	PVOID PeerBindingContext;		/* what the peer gave */
	const VOID *PeerDispatch;
	PNPI_REGISTRATION_INSTANCE PeerRegistrationInstance;
	NTSTATUS AttachProviderStatus;		/* client: NmrClientAttachProvider()'s */
	int Detached;				/* detach callback calls */
	int Cleaned;				/* cleanup callback calls */
	bool DetachPreemptible;			/* preemptible() in the detach callback */
} NT_BINDING;

/*
 * A scriptable Windows-style client or provider: its ClientContext or
 * ProviderContext. Its characteristics are file-scope constants, initialised
 * as Windows code initialises them (nmr_test_nt_util.c), unless a test points
 * Characteristics elsewhere before registering.
 */
typedef struct _NT_PEER {
	struct kunit *Test;
	struct list_head Link;			/* in the test's Windows-style peers */
	char Name[8];				/* in the fixture's event log */
	BOOLEAN IsClient;
	const VOID *Characteristics;		/* NPI_CLIENT_ or NPI_PROVIDER_CHARACTERISTICS */
	HANDLE NmrHandle;			/* NmrClientHandle or NmrProviderHandle */
	bool Registered, Deregistered, Waited, Poisoned;
	int Dispatch;				/* its dispatch table: an int, its address given */

	/* behaviour */
	NTSTATUS AttachStatus;	/* client: returned after attaching; provider: its result */
	BOOLEAN NoAttach;	/* client: return AttachStatus without NmrClientAttachProvider() */
	NTSTATUS DetachStatus;	/* returned by the detach callback */
	void (*Hook)(struct _NT_PEER *Peer, NT_BINDING *Binding, enum tp_event Event);
	void *HookData;

	/* what happened */
	atomic_t Attaches, Detaches, Cleanups;
	PVOID SeenContext;		/* the ClientContext or ProviderContext it was given */
	bool HandleSetInAttach;		/* REG-2: the handle was written before the attach */
	NT_BINDING Bindings[NT_MAX_BINDINGS];
	atomic_t BindingCount;
} NT_PEER;

/*
 * The fixture's characteristics, as Windows code declares them, on the NPI of
 * tnpi_a (written with DEFINE_GUID), with module ids NtClientModuleId and
 * NtProviderModuleId; the client's registration instance has Number 3 and
 * NpiSpecificCharacteristics &NtClientSpecific, the provider's 0 and NULL.
 */
extern const NPI_CLIENT_CHARACTERISTICS NtClientCharacteristics;
extern const NPI_PROVIDER_CHARACTERISTICS NtProviderCharacteristics;
extern const NPI_MODULEID NtClientModuleId, NtProviderModuleId;
extern const ULONG NtClientSpecific;

/* An NTSTATUS check that prints both values in hex. */
#define NT_EXPECT_STATUS(test, got, want) do {					\
	u32 __nt_got = (__force u32)(got), __nt_want = (__force u32)(want);	\
										\
	KUNIT_EXPECT_EQ_MSG(test, __nt_got, __nt_want, "%s is 0x%08x, not 0x%08x",	\
			    #got, __nt_got, __nt_want);				\
} while (0)

#define NT_ASSERT_STATUS(test, got, want) do {					\
	u32 __nt_got = (__force u32)(got), __nt_want = (__force u32)(want);	\
										\
	KUNIT_ASSERT_EQ_MSG(test, __nt_got, __nt_want, "%s is 0x%08x, not 0x%08x",	\
			    #got, __nt_got, __nt_want);				\
} while (0)

struct _NT_PEER *nt_new(struct kunit *test, BOOLEAN IsClient, const char *Name);
NTSTATUS nt_register(NT_PEER *Peer);
NTSTATUS nt_deregister(NT_PEER *Peer);
NTSTATUS nt_wait(NT_PEER *Peer);
void nt_leave(struct kunit *test, NT_PEER *Peer);
void nt_complete(NT_BINDING *Binding);
NT_BINDING *nt_bind(NT_PEER *Peer, int i);

int nt_test_init(struct kunit *test);
void nt_test_exit(struct kunit *test);

#endif /* _NMR_TEST_NT_H */
