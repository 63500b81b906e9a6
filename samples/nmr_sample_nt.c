// SPDX-License-Identifier: GPL-2.0
/*
 * A client and a provider written the way a Windows driver writes them, built on
 * <nmr/nmr_ntcompat.h>: the NPI_* structures initialised in the Windows member
 * order, callbacks that return NTSTATUS (put in through the header's adapters),
 * STATUS_PENDING from the client's detach with NmrClientDetachProviderComplete()
 * from a work item (where Windows would use an IO_WORKITEM), and an unload routine
 * that deregisters and waits. Compare it line by line with a Windows NMR driver.
 *
 *	insmod nmr_sample_nt.ko; rmmod nmr_sample_nt
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <nmr/nmr_ntcompat.h>

NMR_IMPORT_NS();

/* DEFINE_GUID(NPI_SAMPLE_NT_ID, 0x5eedc0de, 0x0003, 0x4e4d, 0x92, 0x00, 'w','i','n','n','t',0) */
static const NPIID NPI_SAMPLE_NT_ID = GUID_INIT(0x5eedc0de, 0x0003, 0x4e4d, 0x92, 0x00,
						0x77, 0x69, 0x6e, 0x6e, 0x74, 0x00);

static const NPI_MODULEID SampleNtClientModuleId = {
	sizeof(NPI_MODULEID), MIT_GUID,
	{ GUID_INIT(0x5eedc0de, 0x00ff, 0x4e4d, 0x92, 0x00, 0, 0, 0, 0, 0, 0x31) },
};

static const NPI_MODULEID SampleNtProviderModuleId = {
	sizeof(NPI_MODULEID), MIT_GUID,
	{ GUID_INIT(0x5eedc0de, 0x00ff, 0x4e4d, 0x92, 0x00, 0, 0, 0, 0, 0, 0x32) },
};

/* The provider's dispatch table: what a client may call. */
struct sample_nt_provider_dispatch {
	u32 (*query)(void *provider_binding_ctx);
};

/* ---- the provider ---- */

struct sample_nt_provider_binding {
	NMR_BINDING_HANDLE NmrBindingHandle;
	u32 Queries;
};

static u32 SampleNtQuery(void *ProviderBindingContext)
{
	struct sample_nt_provider_binding *Binding = ProviderBindingContext;

	return ++Binding->Queries;
}

static const struct sample_nt_provider_dispatch SampleNtProviderDispatch = {
	SampleNtQuery,
};

static NTSTATUS
SampleNtProviderAttachClient(NMR_BINDING_HANDLE NmrBindingHandle, void *ProviderContext,
			     const NPI_REGISTRATION_INSTANCE *ClientRegistration,
			     void *ClientBindingContext, const void *ClientDispatch,
			     void **ProviderBindingContext, const void **ProviderDispatch)
{
	struct sample_nt_provider_binding *Binding;

	if (!NmrIsEqualNpiModuleId(ClientRegistration->module_id, &SampleNtClientModuleId))
		return STATUS_NOINTERFACE;	/* only our own client */
	Binding = kzalloc(sizeof(*Binding), GFP_KERNEL);
	if (!Binding)
		return STATUS_INSUFFICIENT_RESOURCES;
	Binding->NmrBindingHandle = NmrBindingHandle;
	*ProviderBindingContext = Binding;
	*ProviderDispatch = &SampleNtProviderDispatch;
	pr_info("ProviderAttachClient: STATUS_SUCCESS\n");
	return STATUS_SUCCESS;
}

NMR_NT_DEFINE_PROVIDER_ATTACH_CLIENT(SampleNtProviderAttachClient);

static NTSTATUS SampleNtProviderDetachClient(void *ProviderBindingContext)
{
	pr_info("ProviderDetachClient: STATUS_SUCCESS\n");
	return STATUS_SUCCESS;		/* the provider never calls into its clients */
}

NMR_NT_DEFINE_PROVIDER_DETACH_CLIENT(SampleNtProviderDetachClient);

static void SampleNtProviderCleanupBindingContext(void *ProviderBindingContext)
{
	struct sample_nt_provider_binding *Binding = ProviderBindingContext;

	pr_info("ProviderCleanupBindingContext: %u queries served\n", Binding->Queries);
	kfree(Binding);
}

static const NPI_PROVIDER_CHARACTERISTICS SampleNtProviderCharacteristics = {
	0,
	sizeof(NPI_PROVIDER_CHARACTERISTICS),
	SampleNtProviderAttachClient_errno,
	SampleNtProviderDetachClient_errno,
	SampleNtProviderCleanupBindingContext,
	{
		0,
		sizeof(NPI_REGISTRATION_INSTANCE),
		&NPI_SAMPLE_NT_ID,
		&SampleNtProviderModuleId,
		0,
		NULL,
	},
};

/* ---- the client ---- */

struct sample_nt_client_binding {
	NMR_BINDING_HANDLE NmrBindingHandle;
	void *ProviderBindingContext;
	const struct sample_nt_provider_dispatch *ProviderDispatch;
	struct work_struct DetachWorkItem;	/* Windows: an IO_WORKITEM */
};

static void SampleNtClientDetachWorker(struct work_struct *Work)
{
	struct sample_nt_client_binding *Binding =
		container_of(Work, struct sample_nt_client_binding, DetachWorkItem);
	u32 Value;

	/* The last call through the provider, then the detach is complete. */
	Value = Binding->ProviderDispatch->query(Binding->ProviderBindingContext);
	pr_info("ClientDetachProvider work item: last query = %u, completing\n", Value);
	NmrClientDetachProviderComplete(Binding->NmrBindingHandle);
}

static NTSTATUS
SampleNtClientAttachProvider(NMR_BINDING_HANDLE NmrBindingHandle, void *ClientContext,
			     const NPI_REGISTRATION_INSTANCE *ProviderRegistration)
{
	struct sample_nt_client_binding *Binding;
	const void *ProviderDispatch;
	NTSTATUS Status;
	u32 Value;

	Binding = kzalloc(sizeof(*Binding), GFP_KERNEL);
	if (!Binding)
		return STATUS_INSUFFICIENT_RESOURCES;
	Binding->NmrBindingHandle = NmrBindingHandle;
	INIT_WORK(&Binding->DetachWorkItem, SampleNtClientDetachWorker);
	Status = NmrClientAttachProvider(NmrBindingHandle, Binding, NULL,
					 &Binding->ProviderBindingContext, &ProviderDispatch);
	if (!NT_SUCCESS(Status)) {
		kfree(Binding);
		return Status;
	}
	Binding->ProviderDispatch = ProviderDispatch;
	Value = Binding->ProviderDispatch->query(Binding->ProviderBindingContext);
	pr_info("ClientAttachProvider: NmrClientAttachProvider STATUS_SUCCESS, query = %u\n",
		Value);
	return STATUS_SUCCESS;
}

NMR_NT_DEFINE_CLIENT_ATTACH_PROVIDER(SampleNtClientAttachProvider);

static NTSTATUS SampleNtClientDetachProvider(void *ClientBindingContext)
{
	struct sample_nt_client_binding *Binding = ClientBindingContext;

	/* One more call to make: finish it from a work item and say pending. */
	schedule_work(&Binding->DetachWorkItem);
	pr_info("ClientDetachProvider: STATUS_PENDING\n");
	return STATUS_PENDING;
}

NMR_NT_DEFINE_CLIENT_DETACH_PROVIDER(SampleNtClientDetachProvider);

static void SampleNtClientCleanupBindingContext(void *ClientBindingContext)
{
	struct sample_nt_client_binding *Binding = ClientBindingContext;

	flush_work(&Binding->DetachWorkItem);	/* it completed us: let it return (DRG-3) */
	pr_info("ClientCleanupBindingContext\n");
	kfree(Binding);
}

static const NPI_CLIENT_CHARACTERISTICS SampleNtClientCharacteristics = {
	0,
	sizeof(NPI_CLIENT_CHARACTERISTICS),
	SampleNtClientAttachProvider_errno,
	SampleNtClientDetachProvider_errno,
	SampleNtClientCleanupBindingContext,
	{
		0,
		sizeof(NPI_REGISTRATION_INSTANCE),
		&NPI_SAMPLE_NT_ID,
		&SampleNtClientModuleId,
		0,
		NULL,
	},
};

/* ---- DriverEntry and DriverUnload ---- */

static NMR_PROVIDER_HANDLE SampleNtProviderHandle;
static NMR_CLIENT_HANDLE SampleNtClientHandle;

static int __init SampleNtDriverEntry(void)
{
	NTSTATUS Status;

	Status = NmrRegisterProvider(&SampleNtProviderCharacteristics, NULL,
				     &SampleNtProviderHandle);
	if (!NT_SUCCESS(Status))
		return nmr_ntstatus_to_errno(Status);
	Status = NmrRegisterClient(&SampleNtClientCharacteristics, NULL, &SampleNtClientHandle);
	if (!NT_SUCCESS(Status)) {
		NmrDeregisterProvider(SampleNtProviderHandle);
		NmrWaitForProviderDeregisterComplete(SampleNtProviderHandle);
		return nmr_ntstatus_to_errno(Status);
	}
	pr_info("DriverEntry: STATUS_SUCCESS\n");
	return 0;
}

static void __exit SampleNtDriverUnload(void)
{
	NTSTATUS Status;

	Status = NmrDeregisterClient(SampleNtClientHandle);
	if (Status == STATUS_PENDING)
		Status = NmrWaitForClientDeregisterComplete(SampleNtClientHandle);
	pr_info("DriverUnload: client deregistered, status 0x%08x\n", (__force u32)Status);
	Status = NmrDeregisterProvider(SampleNtProviderHandle);
	if (Status == STATUS_PENDING)
		Status = NmrWaitForProviderDeregisterComplete(SampleNtProviderHandle);
	pr_info("DriverUnload: provider deregistered, status 0x%08x\n", (__force u32)Status);
}

module_init(SampleNtDriverEntry);
module_exit(SampleNtDriverUnload);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NMR sample: a client and a provider written the Windows way");
