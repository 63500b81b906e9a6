// SPDX-License-Identifier: GPL-2.0
/*
 * A Windows driver's NMR code, compiled as it is written on <nmr/nmr_ntcompat.h>:
 * a client and a provider of the NPI of nmr_first_provider.ko and
 * nmr_first_client.ko, which are written the Linux way, and bind with them.
 * The NPI's GUID comes from DEFINE_GUID(), the characteristics are initialised
 * with Windows' members in Windows' order, every handle is a HANDLE, every
 * callback returns an NTSTATUS. The client waits on a KEVENT for its first
 * attach, as msquic's NMR client does, declines its own module's provider, and
 * detaches with STATUS_PENDING, completed from a work item after one last call.
 * Only the Windows APIs that are not the NMR's are shimmed, in one marked block.
 * Compare it line by line with a Windows NMR driver.
 *
 *	insmod nmr_first_provider.ko	# the Linux-style provider
 *	insmod nmr_sample_nt.ko		# its client binds to it, waits on the KEVENT
 *	insmod nmr_first_client.ko	# binds to both providers: answers 42 and 7
 *	rmmod nmr_sample_nt; rmmod nmr_first_client; rmmod nmr_first_provider
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <nmr/nmr_ntcompat.h>

NMR_IMPORT_NS();

/*
 * ---- The porter's shim: the Windows APIs this driver uses that are not the NMR's ----
 *
 * A KEVENT on a completion, pool allocation on kzalloc(), DbgPrint() on
 * pr_info(). Just enough for this file, not a Windows emulation.
 */
typedef struct _KEVENT {
	struct completion Signaled;
} KEVENT, *PKEVENT;

typedef enum _EVENT_TYPE {
	NotificationEvent,
	SynchronizationEvent,
} EVENT_TYPE;

typedef union _LARGE_INTEGER {
	s64 QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

#define STATUS_TIMEOUT		((__force NTSTATUS)0x00000102)
#define IO_NO_INCREMENT		0
#define Executive		0
#define KernelMode		0
#define POOL_FLAG_NON_PAGED	0

static VOID KeInitializeEvent(PKEVENT Event, EVENT_TYPE Type, BOOLEAN State)
{
	init_completion(&Event->Signaled);
	if (State)
		complete_all(&Event->Signaled);
}

static LONG KeSetEvent(PKEVENT Event, LONG Increment, BOOLEAN Wait)
{
	complete_all(&Event->Signaled);
	return 0;
}

/* A relative timeout only (negative, in 100 ns units), as this driver passes. */
static NTSTATUS KeWaitForSingleObject(PVOID Object, int WaitReason, int WaitMode,
				      BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
	PKEVENT Event = Object;
	u64 Ms = div_u64(-Timeout->QuadPart, 10000);

	if (!wait_for_completion_timeout(&Event->Signaled, msecs_to_jiffies(Ms)))
		return STATUS_TIMEOUT;
	return STATUS_SUCCESS;
}

static PVOID ExAllocatePool2(ULONG Flags, size_t NumberOfBytes, ULONG Tag)
{
	return kzalloc(NumberOfBytes, GFP_KERNEL);
}

static VOID ExFreePoolWithTag(PVOID P, ULONG Tag)
{
	kfree(P);
}

#define DbgPrint(...)				pr_info(__VA_ARGS__)

/* ---- end of the porter's shim: from here on, the driver as Windows has it ---- */

/* The NPI of nmr_first_provider and nmr_first_client: {5eedc0de-00f1-4e4d-9200-000000000001} */
DEFINE_GUID(NPI_FIRST_ID,
	    0x5eedc0de, 0x00f1, 0x4e4d, 0x92, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01);

/* Its provider dispatch table: what nmr_first.h calls struct nmr_first_dispatch. */
typedef struct _FIRST_NPI_PROVIDER_DISPATCH {
	LONG (*Answer)(PVOID ProviderBindingContext);
} FIRST_NPI_PROVIDER_DISPATCH;

/* Windows writes a pool tag as a multi-character constant, 'NTSN' */
#define SAMPLE_NT_POOL_TAG	0x4e53544e

static const NPI_MODULEID SampleNtClientModuleId = {
	sizeof(NPI_MODULEID),
	MIT_GUID,
	{ { 0x5eedc0de, 0x00ff, 0x4e4d, { 0x92, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x31 } } }
};

static const NPI_MODULEID SampleNtProviderModuleId = {
	sizeof(NPI_MODULEID),
	MIT_GUID,
	{ { 0x5eedc0de, 0x00ff, 0x4e4d, { 0x92, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x32 } } }
};

/* ---- the provider ---- */

typedef struct _SAMPLE_NT_PROVIDER_BINDING {
	HANDLE NmrBindingHandle;
	LONG Queries;
} SAMPLE_NT_PROVIDER_BINDING;

static LONG SampleNtAnswer(PVOID ProviderBindingContext)
{
	SAMPLE_NT_PROVIDER_BINDING *Binding = ProviderBindingContext;

	Binding->Queries++;
	return 7;
}

static const FIRST_NPI_PROVIDER_DISPATCH SampleNtProviderDispatch = {
	SampleNtAnswer,
};

static NPI_PROVIDER_ATTACH_CLIENT_FN SampleNtProviderAttachClient;
static NPI_PROVIDER_DETACH_CLIENT_FN SampleNtProviderDetachClient;
static NPI_PROVIDER_CLEANUP_BINDING_CONTEXT_FN SampleNtProviderCleanupBindingContext;

static NTSTATUS
SampleNtProviderAttachClient(HANDLE NmrBindingHandle, PVOID ProviderContext,
			     PNPI_REGISTRATION_INSTANCE ClientRegistrationInstance,
			     PVOID ClientBindingContext, const VOID *ClientDispatch,
			     PVOID *ProviderBindingContext, const VOID **ProviderDispatch)
{
	SAMPLE_NT_PROVIDER_BINDING *Binding;

	Binding = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*Binding), SAMPLE_NT_POOL_TAG);
	if (!Binding)
		return STATUS_INSUFFICIENT_RESOURCES;
	Binding->NmrBindingHandle = NmrBindingHandle;
	*ProviderBindingContext = Binding;
	*ProviderDispatch = &SampleNtProviderDispatch;
	DbgPrint("ProviderAttachClient: STATUS_SUCCESS for a client of %pUl\n",
		 ClientRegistrationInstance->NpiId);
	return STATUS_SUCCESS;
}

static NTSTATUS SampleNtProviderDetachClient(PVOID ProviderBindingContext)
{
	DbgPrint("ProviderDetachClient: STATUS_SUCCESS\n");
	return STATUS_SUCCESS;		/* the provider never calls into its clients */
}

static VOID SampleNtProviderCleanupBindingContext(PVOID ProviderBindingContext)
{
	SAMPLE_NT_PROVIDER_BINDING *Binding = ProviderBindingContext;

	DbgPrint("ProviderCleanupBindingContext: %d queries served\n", Binding->Queries);
	ExFreePoolWithTag(Binding, SAMPLE_NT_POOL_TAG);
}

static const NPI_PROVIDER_CHARACTERISTICS SampleNtProviderCharacteristics = {
	0,
	sizeof(NPI_PROVIDER_CHARACTERISTICS),
	SampleNtProviderAttachClient,
	SampleNtProviderDetachClient,
	SampleNtProviderCleanupBindingContext,
	{
		0,
		sizeof(NPI_REGISTRATION_INSTANCE),
		&NPI_FIRST_ID,
		&SampleNtProviderModuleId,
		0,
		NULL,
	},
};

/* ---- the client ---- */

typedef struct _SAMPLE_NT_CLIENT {
	KEVENT AttachedEvent;
} SAMPLE_NT_CLIENT;

typedef struct _SAMPLE_NT_CLIENT_BINDING {
	HANDLE NmrBindingHandle;
	PVOID ProviderBindingContext;
	const FIRST_NPI_PROVIDER_DISPATCH *ProviderDispatch;
	struct work_struct DetachWorkItem;	/* Windows: an IO_WORKITEM */
} SAMPLE_NT_CLIENT_BINDING;

static SAMPLE_NT_CLIENT SampleNtClient;

static void SampleNtClientDetachWorker(struct work_struct *Work)
{
	SAMPLE_NT_CLIENT_BINDING *Binding =
		container_of(Work, SAMPLE_NT_CLIENT_BINDING, DetachWorkItem);
	LONG Answer;

	/* The last call through the provider, then the detach is complete. */
	Answer = Binding->ProviderDispatch->Answer(Binding->ProviderBindingContext);
	DbgPrint("ClientDetachProvider work item: last answer = %d, completing\n", Answer);
	NmrClientDetachProviderComplete(Binding->NmrBindingHandle);
}

static NPI_CLIENT_ATTACH_PROVIDER_FN SampleNtClientAttachProvider;
static NPI_CLIENT_DETACH_PROVIDER_FN SampleNtClientDetachProvider;
static NPI_CLIENT_CLEANUP_BINDING_CONTEXT_FN SampleNtClientCleanupBindingContext;

static NTSTATUS
SampleNtClientAttachProvider(HANDLE NmrBindingHandle, PVOID ClientContext,
			     PNPI_REGISTRATION_INSTANCE ProviderRegistrationInstance)
{
	SAMPLE_NT_CLIENT *Client = ClientContext;
	SAMPLE_NT_CLIENT_BINDING *Binding;
	const VOID *ProviderDispatch;
	NTSTATUS Status;

	/* Our own provider is for other modules: this driver calls itself directly. */
	if (NmrIsEqualNpiModuleId(ProviderRegistrationInstance->ModuleId,
				  &SampleNtProviderModuleId)) {
		DbgPrint("ClientAttachProvider: declining our own provider: STATUS_NOINTERFACE\n");
		return STATUS_NOINTERFACE;
	}
	Binding = ExAllocatePool2(POOL_FLAG_NON_PAGED, sizeof(*Binding), SAMPLE_NT_POOL_TAG);
	if (!Binding)
		return STATUS_INSUFFICIENT_RESOURCES;
	Binding->NmrBindingHandle = NmrBindingHandle;
	INIT_WORK(&Binding->DetachWorkItem, SampleNtClientDetachWorker);
	Status = NmrClientAttachProvider(NmrBindingHandle, Binding, NULL,
					 &Binding->ProviderBindingContext, &ProviderDispatch);
	if (!NT_SUCCESS(Status)) {
		ExFreePoolWithTag(Binding, SAMPLE_NT_POOL_TAG);
		return Status;
	}
	Binding->ProviderDispatch = ProviderDispatch;
	DbgPrint("ClientAttachProvider: NmrClientAttachProvider STATUS_SUCCESS, answer = %d\n",
		 Binding->ProviderDispatch->Answer(Binding->ProviderBindingContext));
	KeSetEvent(&Client->AttachedEvent, IO_NO_INCREMENT, FALSE);
	return STATUS_SUCCESS;
}

static NTSTATUS SampleNtClientDetachProvider(PVOID ClientBindingContext)
{
	SAMPLE_NT_CLIENT_BINDING *Binding = ClientBindingContext;

	/* One more call to make: finish it from a work item and say pending. */
	schedule_work(&Binding->DetachWorkItem);
	DbgPrint("ClientDetachProvider: STATUS_PENDING\n");
	return STATUS_PENDING;
}

static VOID SampleNtClientCleanupBindingContext(PVOID ClientBindingContext)
{
	SAMPLE_NT_CLIENT_BINDING *Binding = ClientBindingContext;

	flush_work(&Binding->DetachWorkItem);	/* it completed us: let it return (DRG-3) */
	DbgPrint("ClientCleanupBindingContext\n");
	ExFreePoolWithTag(Binding, SAMPLE_NT_POOL_TAG);
}

static const NPI_CLIENT_CHARACTERISTICS SampleNtClientCharacteristics = {
	0,
	sizeof(NPI_CLIENT_CHARACTERISTICS),
	SampleNtClientAttachProvider,
	SampleNtClientDetachProvider,
	SampleNtClientCleanupBindingContext,
	{
		0,
		sizeof(NPI_REGISTRATION_INSTANCE),
		&NPI_FIRST_ID,
		&SampleNtClientModuleId,
		0,
		NULL,
	},
};

/* ---- DriverEntry and DriverUnload ---- */

static HANDLE SampleNtProviderHandle;
static HANDLE SampleNtClientHandle;

static int __init SampleNtDriverEntry(void)
{
	LARGE_INTEGER Timeout;
	NTSTATUS Status;

	Status = NmrRegisterProvider(&SampleNtProviderCharacteristics, NULL,
				     &SampleNtProviderHandle);
	if (!NT_SUCCESS(Status))
		return nmr_ntstatus_to_errno(Status);

	KeInitializeEvent(&SampleNtClient.AttachedEvent, NotificationEvent, FALSE);
	Status = NmrRegisterClient(&SampleNtClientCharacteristics, &SampleNtClient,
				   &SampleNtClientHandle);
	if (!NT_SUCCESS(Status)) {
		if (NmrDeregisterProvider(SampleNtProviderHandle) == STATUS_PENDING)
			NmrWaitForProviderDeregisterComplete(SampleNtProviderHandle);
		return nmr_ntstatus_to_errno(Status);
	}

	/* As msquic's client: wait a while for the first provider to attach. */
	Timeout.QuadPart = -10000LL * 1000;	/* 1000 ms, relative */
	Status = KeWaitForSingleObject(&SampleNtClient.AttachedEvent, Executive, KernelMode,
				       FALSE, &Timeout);
	if (Status == STATUS_SUCCESS)
		DbgPrint("DriverEntry: attached (KeWaitForSingleObject: STATUS_SUCCESS)\n");
	else
		DbgPrint("DriverEntry: no provider yet (STATUS_TIMEOUT): binds when one comes\n");
	return 0;
}

static void __exit SampleNtDriverUnload(void)
{
	NTSTATUS Status;

	Status = NmrDeregisterClient(SampleNtClientHandle);
	if (Status == STATUS_PENDING)
		Status = NmrWaitForClientDeregisterComplete(SampleNtClientHandle);
	DbgPrint("DriverUnload: client deregistered, status 0x%08x\n", (__force u32)Status);
	Status = NmrDeregisterProvider(SampleNtProviderHandle);
	if (Status == STATUS_PENDING)
		Status = NmrWaitForProviderDeregisterComplete(SampleNtProviderHandle);
	DbgPrint("DriverUnload: provider deregistered, status 0x%08x\n", (__force u32)Status);
}

module_init(SampleNtDriverEntry);
module_exit(SampleNtDriverUnload);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NMR sample: a client and a provider written as a Windows driver writes them");
