/* SPDX-License-Identifier: GPL-2.0 */
/* Windows NMR names (NmrRegisterProvider, NPI_*, NTSTATUS) as thin wrappers over the nmr API. */
#ifndef _NMR_NMR_NTCOMPAT_H
#define _NMR_NMR_NTCOMPAT_H

#include <linux/compiler_types.h>
#include <linux/errno.h>
#include <linux/types.h>
#include <nmr/nmr.h>

/**
 * DOC: Windows names for the NMR
 *
 * This header lets NMR code written for Windows be ported to Linux and compared
 * with its original line by line. It gives the Windows calls (NmrRegisterProvider()
 * and the others), the NPI_* type names and the NTSTATUS values, each a thin
 * inline or macro over <nmr/nmr.h>. The Linux structures and functions are the
 * real ones: nothing here adds behaviour, and every rule of the contract applies
 * unchanged. A module that includes this header still writes NMR_IMPORT_NS()
 * once. docs/windows-linux.md maps the concepts behind the names.
 *
 * What changes when porting:
 *
 * - Types. NPI_MODULEID, NPI_REGISTRATION_INSTANCE, NPI_CLIENT_CHARACTERISTICS
 *   and NPI_PROVIDER_CHARACTERISTICS name the Linux structures. Their members
 *   have the Linux names but the Windows order, so a positional initialiser
 *   ports as it is. Length, Type, Guid and IfLuid become length, type, guid and
 *   if_luid; Version, Size, NpiId, ModuleId, Number and NpiSpecificCharacteristics
 *   become version, size, npi_id, module_id, number and npi_specific;
 *   ClientAttachProvider, ClientDetachProvider and ClientCleanupBindingContext
 *   become attach_provider, detach_provider and cleanup_binding_context (the
 *   provider's likewise), and the Client or Provider RegistrationInstance becomes
 *   registration. NPIID is guid_t, with the same byte order as a GUID:
 *   DEFINE_GUID(name, l, w1, w2, b1, ..., b8) becomes
 *   ``static const guid_t name = GUID_INIT(l, w1, w2, b1, ..., b8);``.
 *
 * - Handles. Windows passes every handle as a HANDLE. Here each kind has its own
 *   type: NMR_CLIENT_HANDLE, NMR_PROVIDER_HANDLE and NMR_BINDING_HANDLE stand for
 *   struct nmr_client *, struct nmr_provider * and struct nmr_binding *. They
 *   are macros, not typedefs, so declare one handle per declaration. The names
 *   NmrClientHandle, NmrProviderHandle and NmrBindingHandle are left alone: Windows
 *   code uses them for its variables, parameters and members.
 *
 * - Callbacks. The characteristics hold Linux callbacks, which return an errno.
 *   A callback written the Windows way returns an NTSTATUS and is put in them
 *   through an adapter: see "Callbacks written the Windows way" below.
 *
 * - Context. Windows allows several NMR calls, and its NMR makes some callbacks,
 *   at DISPATCH_LEVEL. Here the register, deregister, wait and attach calls, and
 *   every callback, run in process context and may sleep; the two
 *   *DetachComplete() calls and NmrIsEqualNpiModuleId() may be made from any
 *   context. Each wrapper says so in its Context: line. The atomic_callbacks
 *   parameter of nmr.ko makes the NMR call detach and cleanup callbacks with
 *   preemption off, to catch code that would sleep at DISPATCH_LEVEL on
 *   Windows (EXT-5).
 *
 * - Unload. When NmrWaitForClientDeregisterComplete() or
 *   NmrWaitForProviderDeregisterComplete() has returned, no callback of that
 *   registration runs again. The module's own timers, work items or RCU
 *   callbacks that called a *DetachComplete() function may still be finishing:
 *   flush them before the module unloads (DRG-3).
 */

/**
 * DOC: NTSTATUS
 *
 * NTSTATUS is a signed 32-bit value, negative for errors, as on Windows. It is
 * declared __bitwise, like blk_status_t: to the compiler it is an s32, but sparse
 * (make C=1) reports every place where an NTSTATUS and an errno meet without
 * nmr_errno_to_ntstatus() or nmr_ntstatus_to_errno() between them.
 *
 * The two maps follow the table of the contract (section 2):
 *
 * - STATUS_SUCCESS and 0;
 * - STATUS_PENDING and -EINPROGRESS (pending is not a failure);
 * - STATUS_NOINTERFACE and -ENODEV (an attach declined);
 * - STATUS_INSUFFICIENT_RESOURCES and -ENOMEM;
 * - STATUS_INVALID_PARAMETER and -EINVAL;
 * - STATUS_INVALID_PARAMETER_1 and -EBADF (a non-NULL handle that is not valid),
 *   except in the two wait calls, which return STATUS_INVALID_PARAMETER for it
 *   as Windows documents;
 * - STATUS_INVALID_DEVICE_STATE and -EALREADY;
 * - STATUS_POSSIBLE_DEADLOCK and -EDEADLK;
 * - STATUS_UNSUCCESSFUL and -EIO, and every other value either way: any other
 *   errno becomes STATUS_UNSUCCESSFUL, any other NTSTATUS becomes -EIO.
 */
typedef s32 __bitwise NTSTATUS;

#define STATUS_SUCCESS			((__force NTSTATUS)0x00000000)
#define STATUS_PENDING			((__force NTSTATUS)0x00000103)
#define STATUS_UNSUCCESSFUL		((__force NTSTATUS)0xC0000001)
#define STATUS_INVALID_PARAMETER	((__force NTSTATUS)0xC000000D)
#define STATUS_INSUFFICIENT_RESOURCES	((__force NTSTATUS)0xC000009A)
#define STATUS_INVALID_PARAMETER_1	((__force NTSTATUS)0xC00000EF)
#define STATUS_INVALID_DEVICE_STATE	((__force NTSTATUS)0xC0000184)
#define STATUS_POSSIBLE_DEADLOCK	((__force NTSTATUS)0xC0000194)
#define STATUS_NOINTERFACE		((__force NTSTATUS)0xC00002B9)

/* True for the success and informational values, STATUS_PENDING included. */
#define NT_SUCCESS(status)		((__force s32)(status) >= 0)

/**
 * nmr_errno_to_ntstatus() - the NTSTATUS for a value returned by an nmr call
 * @err: 0 or a negative errno
 *
 * Context: any context.
 * Return: the NTSTATUS of the table above; STATUS_UNSUCCESSFUL for an errno
 * not in it.
 */
static inline NTSTATUS nmr_errno_to_ntstatus(int err)
{
	switch (err) {
	case 0:
		return STATUS_SUCCESS;
	case -EINPROGRESS:
		return STATUS_PENDING;
	case -ENODEV:
		return STATUS_NOINTERFACE;
	case -ENOMEM:
		return STATUS_INSUFFICIENT_RESOURCES;
	case -EINVAL:
		return STATUS_INVALID_PARAMETER;
	case -EBADF:
		return STATUS_INVALID_PARAMETER_1;
	case -EALREADY:
		return STATUS_INVALID_DEVICE_STATE;
	case -EDEADLK:
		return STATUS_POSSIBLE_DEADLOCK;
	default:
		return STATUS_UNSUCCESSFUL;
	}
}

/**
 * nmr_ntstatus_to_errno() - the errno for a value returned by a Windows-style callback
 * @status: an NTSTATUS
 *
 * Context: any context.
 * Return: the errno of the table above; -EIO for an NTSTATUS not in it,
 * success and informational values other than STATUS_SUCCESS and
 * STATUS_PENDING included.
 */
static inline int nmr_ntstatus_to_errno(NTSTATUS status)
{
	switch ((__force s32)status) {
	case (__force s32)STATUS_SUCCESS:
		return 0;
	case (__force s32)STATUS_PENDING:
		return -EINPROGRESS;
	case (__force s32)STATUS_NOINTERFACE:
		return -ENODEV;
	case (__force s32)STATUS_INSUFFICIENT_RESOURCES:
		return -ENOMEM;
	case (__force s32)STATUS_INVALID_PARAMETER:
		return -EINVAL;
	case (__force s32)STATUS_INVALID_PARAMETER_1:
		return -EBADF;
	case (__force s32)STATUS_INVALID_DEVICE_STATE:
		return -EALREADY;
	case (__force s32)STATUS_POSSIBLE_DEADLOCK:
		return -EDEADLK;
	default:
		return -EIO;
	}
}

/* The Windows type names, for the Linux structures (see the DOC: above). */
#define NPIID				guid_t
#define NPI_MODULEID			struct nmr_module_id
#define MIT_GUID			NMR_MIT_GUID
#define MIT_IF_LUID			NMR_MIT_IF_LUID
#define NPI_REGISTRATION_INSTANCE	struct nmr_registration_instance
#define NPI_CLIENT_CHARACTERISTICS	struct nmr_client_characteristics
#define NPI_PROVIDER_CHARACTERISTICS	struct nmr_provider_characteristics

/* One type per kind of handle, where Windows has HANDLE for all three. */
#define NMR_CLIENT_HANDLE		struct nmr_client *
#define NMR_PROVIDER_HANDLE		struct nmr_provider *
#define NMR_BINDING_HANDLE		struct nmr_binding *

/**
 * DOC: Callbacks written the Windows way
 *
 * The NPI_*_FN types below are the Windows callback types: an attach or detach
 * callback returns an NTSTATUS. The characteristics hold Linux callbacks, which
 * return an errno, so a Windows-style attach or detach callback goes in through
 * an adapter. NMR_NT_DEFINE_CLIENT_ATTACH_PROVIDER(fn) and its three siblings
 * define ``fn_errno()``: a Linux callback that calls fn and converts its
 * NTSTATUS with nmr_ntstatus_to_errno(). Cleanup callbacks return nothing and
 * need no adapter. A client written the Windows way::
 *
 *	static NTSTATUS ClientDetachProvider(void *ClientBindingContext)
 *	{
 *		... stop new calls into the provider ...
 *		return STATUS_PENDING;	// NmrClientDetachProviderComplete() later
 *	}
 *
 *	NMR_NT_DEFINE_CLIENT_ATTACH_PROVIDER(ClientAttachProvider)
 *	NMR_NT_DEFINE_CLIENT_DETACH_PROVIDER(ClientDetachProvider)
 *
 *	static const NPI_CLIENT_CHARACTERISTICS ClientCharacteristics = {
 *		0, sizeof(NPI_CLIENT_CHARACTERISTICS),
 *		ClientAttachProvider_errno,
 *		ClientDetachProvider_errno,
 *		ClientCleanupBindingContext,
 *		{ 0, sizeof(NPI_REGISTRATION_INSTANCE), &NpiId, &ClientModuleId, 0, NULL },
 *	};
 *
 * Do not put a Windows-style function straight into the characteristics. It
 * compiles, because NTSTATUS is an s32 to the compiler, but the NMR would read
 * STATUS_PENDING (0x103, a positive value) as "not an errno: taken as 0" and
 * count the side as done while its calls are still in flight (DET-4); the
 * peer's cleanup may then free what those calls use. Sparse reports the mix-up.
 */

/**
 * typedef NPI_CLIENT_CLEANUP_BINDING_CONTEXT_FN - a client's cleanup callback
 * @client_binding_ctx: the client's context for the binding, to be freed now
 *
 * The same function type on both systems: goes in the characteristics as it is.
 */
typedef void NPI_CLIENT_CLEANUP_BINDING_CONTEXT_FN(void *client_binding_ctx);

/**
 * typedef NPI_PROVIDER_CLEANUP_BINDING_CONTEXT_FN - a provider's cleanup callback
 * @provider_binding_ctx: the provider's context for the binding, to be freed now
 *
 * The same function type on both systems: goes in the characteristics as it is.
 */
typedef void NPI_PROVIDER_CLEANUP_BINDING_CONTEXT_FN(void *provider_binding_ctx);

/**
 * typedef NPI_CLIENT_ATTACH_PROVIDER_FN - a client's attach callback, Windows style
 * @binding: the client side's binding handle, for NmrClientAttachProvider()
 * @client_ctx: the context given to NmrRegisterClient()
 * @provider: the provider's registration instance
 *
 * Return: STATUS_SUCCESS after a successful NmrClientAttachProvider();
 * STATUS_NOINTERFACE to decline.
 */
typedef NTSTATUS NPI_CLIENT_ATTACH_PROVIDER_FN(NMR_BINDING_HANDLE binding, void *client_ctx,
					       const NPI_REGISTRATION_INSTANCE *provider);

/**
 * typedef NPI_CLIENT_DETACH_PROVIDER_FN - a client's detach callback, Windows style
 * @client_binding_ctx: the client's context for the binding
 *
 * Return: STATUS_SUCCESS when no call into the provider is in flight any more;
 * STATUS_PENDING, then NmrClientDetachProviderComplete() after the last one.
 */
typedef NTSTATUS NPI_CLIENT_DETACH_PROVIDER_FN(void *client_binding_ctx);

/**
 * typedef NPI_PROVIDER_ATTACH_CLIENT_FN - a provider's attach callback, Windows style
 * @binding: the provider side's binding handle
 * @provider_ctx: the context given to NmrRegisterProvider()
 * @client: the client's registration instance
 * @client_binding_ctx: the client's context for the binding
 * @client_dispatch: the client's dispatch table
 * @provider_binding_ctx: out: the provider's context for the binding
 * @provider_dispatch: out: the provider's dispatch table
 *
 * Return: STATUS_SUCCESS, with both out-parameters set, to accept;
 * STATUS_NOINTERFACE to decline.
 */
typedef NTSTATUS NPI_PROVIDER_ATTACH_CLIENT_FN(NMR_BINDING_HANDLE binding, void *provider_ctx,
					       const NPI_REGISTRATION_INSTANCE *client,
					       void *client_binding_ctx,
					       const void *client_dispatch,
					       void **provider_binding_ctx,
					       const void **provider_dispatch);

/**
 * typedef NPI_PROVIDER_DETACH_CLIENT_FN - a provider's detach callback, Windows style
 * @provider_binding_ctx: the provider's context for the binding
 *
 * Return: STATUS_SUCCESS when no call into the client is in flight any more;
 * STATUS_PENDING, then NmrProviderDetachClientComplete() after the last one.
 */
typedef NTSTATUS NPI_PROVIDER_DETACH_CLIENT_FN(void *provider_binding_ctx);

/**
 * NMR_NT_DEFINE_CLIENT_ATTACH_PROVIDER() - adapt a Windows-style ClientAttachProvider
 * @fn: a function of type NPI_CLIENT_ATTACH_PROVIDER_FN
 *
 * Defines ``static int fn_errno()``, for the attach_provider member of the
 * client's characteristics: it calls @fn and returns nmr_ntstatus_to_errno()
 * of its status.
 */
#define NMR_NT_DEFINE_CLIENT_ATTACH_PROVIDER(fn)					\
static int fn##_errno(struct nmr_binding *binding, void *client_ctx,			\
		      const struct nmr_registration_instance *provider)		\
{											\
	NPI_CLIENT_ATTACH_PROVIDER_FN *nt_fn = fn;					\
											\
	return nmr_ntstatus_to_errno(nt_fn(binding, client_ctx, provider));		\
}

/**
 * NMR_NT_DEFINE_CLIENT_DETACH_PROVIDER() - adapt a Windows-style ClientDetachProvider
 * @fn: a function of type NPI_CLIENT_DETACH_PROVIDER_FN
 *
 * Defines ``static int fn_errno()``, for the detach_provider member: STATUS_PENDING
 * becomes -EINPROGRESS, STATUS_SUCCESS 0.
 */
#define NMR_NT_DEFINE_CLIENT_DETACH_PROVIDER(fn)					\
static int fn##_errno(void *client_binding_ctx)						\
{											\
	NPI_CLIENT_DETACH_PROVIDER_FN *nt_fn = fn;					\
											\
	return nmr_ntstatus_to_errno(nt_fn(client_binding_ctx));			\
}

/**
 * NMR_NT_DEFINE_PROVIDER_ATTACH_CLIENT() - adapt a Windows-style ProviderAttachClient
 * @fn: a function of type NPI_PROVIDER_ATTACH_CLIENT_FN
 *
 * Defines ``static int fn_errno()``, for the attach_client member of the
 * provider's characteristics. The client's NmrClientAttachProvider() gets the
 * status back through nmr_errno_to_ntstatus(): the values of the table make the
 * round trip unchanged, any other becomes STATUS_UNSUCCESSFUL.
 */
#define NMR_NT_DEFINE_PROVIDER_ATTACH_CLIENT(fn)					\
static int fn##_errno(struct nmr_binding *binding, void *provider_ctx,			\
		      const struct nmr_registration_instance *client,			\
		      void *client_binding_ctx, const void *client_dispatch,		\
		      void **provider_binding_ctx, const void **provider_dispatch)	\
{											\
	NPI_PROVIDER_ATTACH_CLIENT_FN *nt_fn = fn;					\
											\
	return nmr_ntstatus_to_errno(nt_fn(binding, provider_ctx, client,		\
					   client_binding_ctx, client_dispatch,		\
					   provider_binding_ctx, provider_dispatch));	\
}

/**
 * NMR_NT_DEFINE_PROVIDER_DETACH_CLIENT() - adapt a Windows-style ProviderDetachClient
 * @fn: a function of type NPI_PROVIDER_DETACH_CLIENT_FN
 *
 * Defines ``static int fn_errno()``, for the detach_client member: STATUS_PENDING
 * becomes -EINPROGRESS, STATUS_SUCCESS 0.
 */
#define NMR_NT_DEFINE_PROVIDER_DETACH_CLIENT(fn)					\
static int fn##_errno(void *provider_binding_ctx)					\
{											\
	NPI_PROVIDER_DETACH_CLIENT_FN *nt_fn = fn;					\
											\
	return nmr_ntstatus_to_errno(nt_fn(provider_binding_ctx));			\
}

/**
 * NmrRegisterProvider() - register a provider of an NPI: nmr_register_provider()
 * @chars: the provider's characteristics; kept, not copied
 * @provider_ctx: passed to the provider's attach callback
 * @provider: where the handle is written, before any callback runs
 *
 * An inline, so that nmr_register_provider() records the module that includes
 * this header as the owner, as if that module had called it itself. The
 * clients already registered are offered the provider on this thread before
 * this returns.
 *
 * Context: process context; sleeps.
 * Return: STATUS_SUCCESS and a handle; STATUS_INVALID_PARAMETER or
 * STATUS_INSUFFICIENT_RESOURCES with nothing registered and *@provider NULL.
 */
static inline NTSTATUS NmrRegisterProvider(const NPI_PROVIDER_CHARACTERISTICS *chars,
					   void *provider_ctx, NMR_PROVIDER_HANDLE *provider)
{
	return nmr_errno_to_ntstatus(nmr_register_provider(chars, provider_ctx, provider));
}

/**
 * NmrRegisterClient() - register a client of an NPI: nmr_register_client()
 * @chars: the client's characteristics; kept, not copied
 * @client_ctx: passed to the client's attach callback
 * @client: where the handle is written, before any callback runs
 *
 * As NmrRegisterProvider(), from the client side: the client's attach callback
 * runs on this thread for each provider already registered.
 *
 * Context: process context; sleeps.
 * Return: STATUS_SUCCESS and a handle; STATUS_INVALID_PARAMETER or
 * STATUS_INSUFFICIENT_RESOURCES with nothing registered and *@client NULL.
 */
static inline NTSTATUS NmrRegisterClient(const NPI_CLIENT_CHARACTERISTICS *chars,
					 void *client_ctx, NMR_CLIENT_HANDLE *client)
{
	return nmr_errno_to_ntstatus(nmr_register_client(chars, client_ctx, client));
}

/**
 * NmrDeregisterProvider() - start removing a provider: nmr_deregister_provider()
 * @provider: the handle from NmrRegisterProvider()
 *
 * The provider's attached bindings are detached, both detach callbacks on this
 * thread, before this returns. Call NmrWaitForProviderDeregisterComplete() next.
 *
 * Context: process context; sleeps (Windows also allows DISPATCH_LEVEL: from
 * atomic context, queue a work item that calls this).
 * Return: STATUS_PENDING, which means success, every time. STATUS_INVALID_PARAMETER
 * for NULL, STATUS_INVALID_PARAMETER_1 for a handle that is not a live provider,
 * STATUS_INVALID_DEVICE_STATE if it is already deregistering.
 */
static inline NTSTATUS NmrDeregisterProvider(NMR_PROVIDER_HANDLE provider)
{
	return nmr_errno_to_ntstatus(nmr_deregister_provider(provider));
}

/**
 * NmrDeregisterClient() - start removing a client: nmr_deregister_client()
 * @client: the handle from NmrRegisterClient()
 *
 * As NmrDeregisterProvider(), for a client. Call
 * NmrWaitForClientDeregisterComplete() next.
 *
 * Context: process context; sleeps.
 * Return: STATUS_PENDING, which means success, every time. STATUS_INVALID_PARAMETER
 * for NULL, STATUS_INVALID_PARAMETER_1 for a handle that is not a live client,
 * STATUS_INVALID_DEVICE_STATE if it is already deregistering.
 */
static inline NTSTATUS NmrDeregisterClient(NMR_CLIENT_HANDLE client)
{
	return nmr_errno_to_ntstatus(nmr_deregister_client(client));
}

/**
 * __nmr_nt_wait_status() - the NTSTATUS of a wait call's result
 * @err: what nmr_wait_for_*_deregister_complete() returned
 *
 * Windows documents STATUS_INVALID_PARAMETER for a handle that is not valid in
 * the two wait calls, where the general map gives STATUS_INVALID_PARAMETER_1.
 *
 * Context: any context.
 * Return: nmr_errno_to_ntstatus(@err), but STATUS_INVALID_PARAMETER for -EBADF.
 */
static inline NTSTATUS __nmr_nt_wait_status(int err)
{
	return err == -EBADF ? STATUS_INVALID_PARAMETER : nmr_errno_to_ntstatus(err);
}

/**
 * NmrWaitForProviderDeregisterComplete() - wait until a provider is gone
 * @provider: a handle passed to NmrDeregisterProvider()
 *
 * nmr_wait_for_provider_deregister_complete(): blocks until every binding of
 * the provider is gone. After it returns no callback of the provider runs
 * again and the handle is dead.
 *
 * Context: process context; sleeps (Windows: below DISPATCH_LEVEL). Not from a
 * callback that this deregistration waits for.
 * Return: STATUS_SUCCESS. STATUS_INVALID_PARAMETER before NmrDeregisterProvider()
 * or for a handle that is not a live provider; STATUS_POSSIBLE_DEADLOCK, with a
 * warning, from a callback that the wait depends on (HDL-4).
 */
static inline NTSTATUS NmrWaitForProviderDeregisterComplete(NMR_PROVIDER_HANDLE provider)
{
	return __nmr_nt_wait_status(nmr_wait_for_provider_deregister_complete(provider));
}

/**
 * NmrWaitForClientDeregisterComplete() - wait until a client is gone
 * @client: a handle passed to NmrDeregisterClient()
 *
 * nmr_wait_for_client_deregister_complete(): blocks until every binding of the
 * client is gone. After it returns no callback of the client runs again and the
 * handle is dead.
 *
 * Context: process context; sleeps (Windows: below DISPATCH_LEVEL). Not from a
 * callback that this deregistration waits for.
 * Return: STATUS_SUCCESS. STATUS_INVALID_PARAMETER before NmrDeregisterClient()
 * or for a handle that is not a live client; STATUS_POSSIBLE_DEADLOCK, with a
 * warning, from a callback that the wait depends on (HDL-4).
 */
static inline NTSTATUS NmrWaitForClientDeregisterComplete(NMR_CLIENT_HANDLE client)
{
	return __nmr_nt_wait_status(nmr_wait_for_client_deregister_complete(client));
}

/**
 * NmrClientAttachProvider() - accept an offer: nmr_client_attach_provider()
 * @binding: the handle the client's attach callback was given
 * @client_binding_ctx: the client's context for this binding
 * @client_dispatch: the client's dispatch table, given to the provider
 * @provider_binding_ctx: out: the provider's context for this binding
 * @provider_dispatch: out: the provider's dispatch table
 *
 * Calls the provider's attach callback on this thread. Call it only from the
 * client's attach callback for this @binding; after a failure it may be called
 * again.
 *
 * Context: process context, inside the client's attach callback; sleeps if the
 * provider does.
 * Return: the provider's status, passed through: STATUS_SUCCESS (the
 * out-parameters are written) or its error, STATUS_NOINTERFACE for a decline; a
 * provider error outside the table arrives as STATUS_UNSUCCESSFUL.
 * STATUS_INVALID_DEVICE_STATE once attached; STATUS_INVALID_PARAMETER_1 for a
 * handle that is not the client side of a running offer; STATUS_INVALID_PARAMETER
 * for NULL.
 */
static inline NTSTATUS NmrClientAttachProvider(NMR_BINDING_HANDLE binding,
					       void *client_binding_ctx,
					       const void *client_dispatch,
					       void **provider_binding_ctx,
					       const void **provider_dispatch)
{
	return nmr_errno_to_ntstatus(nmr_client_attach_provider(binding, client_binding_ctx,
								client_dispatch,
								provider_binding_ctx,
								provider_dispatch));
}

/**
 * NmrClientDetachProviderComplete() - the client's pending detach is done
 * @binding: the client side's binding handle
 *
 * nmr_client_detach_provider_complete(), returning nothing as on Windows. A
 * misuse (a second completion, a completion after the detach callback returned
 * STATUS_SUCCESS, a wrong handle) changes nothing and is reported in the kernel
 * log; call nmr_client_detach_provider_complete() to get its error code.
 *
 * Context: any context, hard interrupt included (Windows: up to DISPATCH_LEVEL);
 * never sleeps.
 */
static inline void NmrClientDetachProviderComplete(NMR_BINDING_HANDLE binding)
{
	nmr_client_detach_provider_complete(binding);
}

/**
 * NmrProviderDetachClientComplete() - the provider's pending detach is done
 * @binding: the provider side's binding handle
 *
 * nmr_provider_detach_client_complete(), returning nothing as on Windows. A
 * misuse changes nothing and is reported in the kernel log.
 *
 * Context: any context, hard interrupt included (Windows: up to DISPATCH_LEVEL);
 * never sleeps.
 */
static inline void NmrProviderDetachClientComplete(NMR_BINDING_HANDLE binding)
{
	nmr_provider_detach_client_complete(binding);
}

/**
 * NmrIsEqualNpiModuleId() - compare two module ids: nmr_module_id_equal()
 * @a: one id
 * @b: the other
 *
 * Context: any context.
 * Return: true when the types match and so do the GUIDs (MIT_GUID) or the
 * LUIDs (MIT_IF_LUID); the length is not compared.
 */
static inline bool NmrIsEqualNpiModuleId(const NPI_MODULEID *a, const NPI_MODULEID *b)
{
	return nmr_module_id_equal(a, b);
}

#endif /* _NMR_NMR_NTCOMPAT_H */
