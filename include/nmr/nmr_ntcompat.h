/* SPDX-License-Identifier: GPL-2.0 */
/* The Windows NMR names (NmrRegisterClient, NPI_*, GUID, NTSTATUS) over the nmr API. */
#ifndef _NMR_NMR_NTCOMPAT_H
#define _NMR_NMR_NTCOMPAT_H

#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/uuid.h>
#include <nmr/nmr.h>
#include <nmr/nmr_tramp.h>

/**
 * DOC: Windows names for the NMR
 *
 * NMR code written for Windows compiles here as it is written and runs with
 * the same results (EXT-6). This header declares what Windows' netioddk.h
 * declares, with the same names, members and types: NmrRegisterClient() and
 * the nine other calls, NPI_CLIENT_CHARACTERISTICS and
 * NPI_PROVIDER_CHARACTERISTICS with their callback types (PNPI_*_FN: HANDLE
 * bindings, NTSTATUS results), NPI_REGISTRATION_INSTANCE, NPI_MODULEID, the
 * GUID type and DEFINE_GUID(), the NTSTATUS values, and the Windows base types
 * these use. A porter shims only the Windows APIs that are not the NMR's:
 * events, pool allocation, interlocked operations, SAL annotations. A module
 * that includes this header writes NMR_IMPORT_NS() once, as every NMR module
 * does. docs/windows-linux.md maps the concepts behind the names.
 *
 * Under the names run the real nmr calls, and every rule of the contract
 * applies unchanged. The Windows characteristics are kept, not copied, as on
 * Windows: each register call hands the NMR a small table of trampolines and
 * the characteristics themselves (<nmr/nmr_tramp.h>), and the NMR calls a
 * trampoline, which calls the Windows callback and maps its NTSTATUS to the
 * errno the NMR reads (nmr_ntstatus_to_errno()). No function pointer is cast.
 *
 * Windows-style and Linux-style registrations bind with each other, both ways.
 * Each side gets exactly what its peer registered: the same binding context
 * and dispatch table pointers, and a pointer to the peer's own registration
 * instance, which either style reads with its own names:
 * NPI_REGISTRATION_INSTANCE and NPI_MODULEID have the layout of struct
 * nmr_registration_instance and struct nmr_module_id, and GUID that of
 * guid_t; static_assert()s below prove it at every build.
 *
 * What differs from Windows, each a compile error or a documented result,
 * never a silent change:
 *
 * - NPI_MODULEID.Type is 16 bits wide (an enum, 32 bits, on Windows), to have
 *   the layout of struct nmr_module_id. Code that assigns MIT_GUID to it, or
 *   compares it, is unaffected.
 * - PNPIID, PNPI_MODULEID and PNPI_REGISTRATION_INSTANCE point to const, so
 *   that a callback declared with either ``PNPI_REGISTRATION_INSTANCE`` or
 *   ``const NPI_REGISTRATION_INSTANCE *`` has the callback's type. Writing
 *   through one of these pointer types does not compile.
 * - DEFINE_GUID() always defines a static const GUID, with or without
 *   INITGUID: one copy per file that uses it. NPIs match on the GUID's value,
 *   never its address.
 * - Errors are mapped: an NTSTATUS that the table below does not hold reaches
 *   the NMR as -EIO, and an errno it does not hold comes back as
 *   STATUS_UNSUCCESSFUL (see "NTSTATUS").
 * - Context. Windows allows several NMR calls, and its NMR makes some
 *   callbacks, at DISPATCH_LEVEL. Here the register, deregister, wait and
 *   attach calls, and every callback, run in process context and may sleep;
 *   the two *DetachComplete() calls and NmrIsEqualNpiModuleId() may be made
 *   from any context. Each call says so in its Context: line. The
 *   atomic_callbacks parameter of nmr.ko makes the NMR call detach and cleanup
 *   callbacks with preemption off, to catch code that would sleep at
 *   DISPATCH_LEVEL on Windows (EXT-5).
 * - Unload. When NmrWaitForClientDeregisterComplete() or
 *   NmrWaitForProviderDeregisterComplete() has returned, no callback of that
 *   registration runs again. The module's own timers, work items or RCU
 *   callbacks that called a *DetachComplete() function may still be
 *   finishing: flush them before the module unloads (DRG-3).
 *
 * The Windows base types (HANDLE, PVOID, USHORT, ULONG, GUID, LUID ...) are
 * each declared only if a porter's shim has not declared it first: each is
 * guarded by its name with _DEFINED appended (GUID_DEFINED is Windows' own
 * guard), and the macros (VOID, CONST, TRUE, STATUS_*, NT_SUCCESS ...) by
 * their own names. A shim declaring one of these itself defines that guard
 * before including this header, or declares the same type (C11 allows an
 * identical typedef twice).
 */

/**
 * DOC: Strict handles
 *
 * By default every NMR handle is a HANDLE, as on Windows, so Windows code
 * compiles as it is written; the NMR still validates each handle at every
 * call (HDL-2, HDL-5) and reports a wrong one. The names NMR_CLIENT_HANDLE,
 * NMR_PROVIDER_HANDLE and NMR_BINDING_HANDLE are then HANDLE too.
 *
 * Defined before this header is included, NMR_NT_STRICT_HANDLES makes those
 * three names three types: struct nmr_client *, struct nmr_provider * and
 * struct nmr_binding *. The calls and the callback types (PNPI_*_FN) take
 * them, so passing a registration handle where a binding handle is expected,
 * or a client handle to a provider call, is a compile error
 * (-Werror=incompatible-pointer-types; scripts/nt-strict-check.sh proves it).
 * The porter changes the HANDLE declarations of the module's own handle
 * variables and callback parameters to the typed names, and nothing else;
 * code so changed still compiles in the default mode. (A value that is still
 * a HANDLE, a void pointer, converts to any of the three: type them all.) A handle has the same
 * value in both modes, so different files of one module may use different
 * modes.
 */

/* ---- Windows base types, each skipped if the porter's shim declared it ---- */

#ifndef VOID
#define VOID void
#endif
#ifndef CONST
#define CONST const
#endif
#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif
#ifndef PVOID_DEFINED
#define PVOID_DEFINED
typedef void *PVOID;
#endif
#ifndef HANDLE_DEFINED
#define HANDLE_DEFINED
typedef void *HANDLE;
#endif
#ifndef PHANDLE_DEFINED
#define PHANDLE_DEFINED
typedef void **PHANDLE;		/* HANDLE * */
#endif
#ifndef UCHAR_DEFINED
#define UCHAR_DEFINED
typedef unsigned char UCHAR;
#endif
#ifndef BOOLEAN_DEFINED
#define BOOLEAN_DEFINED
typedef UCHAR BOOLEAN;
#endif
#ifndef USHORT_DEFINED
#define USHORT_DEFINED
typedef u16 USHORT;
#endif
#ifndef LONG_DEFINED
#define LONG_DEFINED
typedef s32 LONG;		/* 32 bits, as on Windows (LLP64) */
#endif
#ifndef ULONG_DEFINED
#define ULONG_DEFINED
typedef u32 ULONG;		/* 32 bits, as on Windows (LLP64) */
#endif

#ifndef LUID_DEFINED
#define LUID_DEFINED
/**
 * struct _LUID - a locally unique id (LUID): NPI_MODULEID.IfLuid
 * @LowPart: the low 32 bits
 * @HighPart: the high 32 bits
 */
typedef struct _LUID {
	ULONG LowPart;
	LONG HighPart;
} LUID, *PLUID;
#endif

/* ---- NTSTATUS ---- */

/**
 * DOC: NTSTATUS
 *
 * NTSTATUS is a signed 32-bit value, negative for errors, as on Windows. It is
 * declared __bitwise, like blk_status_t: to the compiler it is an s32, but
 * sparse (make C=1) reports every place where an NTSTATUS and an errno meet
 * without nmr_errno_to_ntstatus() or nmr_ntstatus_to_errno() between them.
 *
 * __NMR_NT_STATUS_TABLE below is the one map between the two, the table of
 * the contract (section 2): each row maps both ways. An errno that no row
 * holds becomes STATUS_UNSUCCESSFUL, an NTSTATUS that no row holds (success
 * and informational values other than STATUS_SUCCESS and STATUS_PENDING
 * included) becomes -EIO. One exception, as Windows documents it: the two
 * wait calls return STATUS_INVALID_PARAMETER for a handle that is not valid,
 * where the table gives STATUS_INVALID_PARAMETER_1.
 */
#ifndef NTSTATUS_DEFINED
#define NTSTATUS_DEFINED
typedef s32 __bitwise NTSTATUS;
#endif

#ifndef STATUS_SUCCESS
#define STATUS_SUCCESS			((__force NTSTATUS)0x00000000)
#endif
#ifndef STATUS_PENDING
#define STATUS_PENDING			((__force NTSTATUS)0x00000103)
#endif
#ifndef STATUS_UNSUCCESSFUL
#define STATUS_UNSUCCESSFUL		((__force NTSTATUS)0xC0000001)
#endif
#ifndef STATUS_INVALID_PARAMETER
#define STATUS_INVALID_PARAMETER	((__force NTSTATUS)0xC000000D)
#endif
#ifndef STATUS_INSUFFICIENT_RESOURCES
#define STATUS_INSUFFICIENT_RESOURCES	((__force NTSTATUS)0xC000009A)
#endif
#ifndef STATUS_INVALID_PARAMETER_1
#define STATUS_INVALID_PARAMETER_1	((__force NTSTATUS)0xC00000EF)
#endif
#ifndef STATUS_INVALID_DEVICE_STATE
#define STATUS_INVALID_DEVICE_STATE	((__force NTSTATUS)0xC0000184)
#endif
#ifndef STATUS_POSSIBLE_DEADLOCK
#define STATUS_POSSIBLE_DEADLOCK	((__force NTSTATUS)0xC0000194)
#endif
#ifndef STATUS_NOINTERFACE
#define STATUS_NOINTERFACE		((__force NTSTATUS)0xC00002B9)
#endif

/* True for the success and informational values, STATUS_PENDING included. */
#ifndef NT_SUCCESS
#define NT_SUCCESS(status)		((__force s32)(status) >= 0)
#endif

/* One row of the map: an NTSTATUS and the errno it stands for. */
struct __nmr_nt_status_pair {
	NTSTATUS status;
	int err;
};

/* The map of "NTSTATUS" above, one row per pair, each read both ways. */
#define __NMR_NT_STATUS_TABLE {							\
	{ STATUS_SUCCESS,		0 },					\
	{ STATUS_PENDING,		-EINPROGRESS },	/* pending, no failure */	\
	{ STATUS_NOINTERFACE,		-ENODEV },	/* an attach declined */	\
	{ STATUS_INSUFFICIENT_RESOURCES, -ENOMEM },				\
	{ STATUS_INVALID_PARAMETER,	-EINVAL },				\
	{ STATUS_INVALID_PARAMETER_1,	-EBADF },	/* a handle not valid */	\
	{ STATUS_INVALID_DEVICE_STATE,	-EALREADY },				\
	{ STATUS_POSSIBLE_DEADLOCK,	-EDEADLK },				\
	{ STATUS_UNSUCCESSFUL,		-EIO },					\
}

/**
 * nmr_errno_to_ntstatus() - the NTSTATUS for a value returned by an nmr call
 * @err: 0 or a negative errno
 *
 * Context: any context.
 * Return: the NTSTATUS of @err's row of __NMR_NT_STATUS_TABLE;
 * STATUS_UNSUCCESSFUL for an errno in no row.
 */
static inline NTSTATUS nmr_errno_to_ntstatus(int err)
{
	static const struct __nmr_nt_status_pair map[] = __NMR_NT_STATUS_TABLE;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (map[i].err == err)
			return map[i].status;
	return STATUS_UNSUCCESSFUL;
}

/**
 * nmr_ntstatus_to_errno() - the errno for an NTSTATUS of a Windows-style callback
 * @status: an NTSTATUS
 *
 * Context: any context.
 * Return: the errno of @status's row of __NMR_NT_STATUS_TABLE; -EIO for an
 * NTSTATUS in no row.
 */
static inline int nmr_ntstatus_to_errno(NTSTATUS status)
{
	static const struct __nmr_nt_status_pair map[] = __NMR_NT_STATUS_TABLE;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (map[i].status == status)
			return map[i].err;
	return -EIO;
}

/* ---- GUID ---- */

#ifndef GUID_DEFINED
#define GUID_DEFINED
/**
 * struct _GUID - a GUID as Windows declares it (guiddef.h)
 * @Data1: the first 4 bytes, a 32-bit number
 * @Data2: the next 2 bytes, a 16-bit number
 * @Data3: the next 2 bytes, a 16-bit number
 * @Data4: the last 8 bytes, in order
 *
 * The same bytes as the guid_t that GUID_INIT() makes of the same numbers:
 * Windows stores Data1..Data3 little-endian, and so does this on the
 * little-endian CPUs the NMR runs on (checked below).
 */
typedef struct _GUID {
	ULONG Data1;
	USHORT Data2;
	USHORT Data3;
	UCHAR Data4[8];
} GUID;
#endif

#ifndef DEFINE_GUID
/**
 * DEFINE_GUID() - define a GUID constant the Windows way
 * @name: the constant's name
 * @l: Data1
 * @w1: Data2
 * @w2: Data3
 * @b1: Data4[0]
 * @b2: Data4[1]
 * @b3: Data4[2]
 * @b4: Data4[3]
 * @b5: Data4[4]
 * @b6: Data4[5]
 * @b7: Data4[6]
 * @b8: Data4[7]
 *
 * Defines ``static const GUID name``, with the bytes Windows gives it. It
 * may go in a header: a file that does not use it gets no warning.
 */
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8)		\
	static const struct _GUID name __maybe_unused =			\
		{ l, w1, w2, { b1, b2, b3, b4, b5, b6, b7, b8 } }
#endif

#ifndef IsEqualGUID
/**
 * IsEqualGUID() - compare two GUIDs
 * @a: one GUID
 * @b: the other
 *
 * Return: true when they hold the same 16 bytes.
 */
#define IsEqualGUID(a, b)	(!memcmp((a), (b), sizeof(GUID)))
#endif

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	      "GUID.Data1..Data3 are stored as guid_t stores them only on a little-endian CPU");
static_assert(sizeof(GUID) == sizeof(guid_t), "GUID is guid_t's 16 bytes");
static_assert(offsetof(GUID, Data1) == 0 && offsetof(GUID, Data2) == 4 &&
	      offsetof(GUID, Data3) == 6 && offsetof(GUID, Data4) == 8,
	      "GUID has Windows' layout");
static_assert(sizeof(LUID) == sizeof(u64) && offsetof(LUID, LowPart) == 0,
	      "LUID is the u64 of nmr_module_id.if_luid");

/* ---- the NMR's types ---- */

/* An NPI's id: a GUID (Windows: typedef GUID NPIID; typedef CONST NPIID *PNPIID). */
typedef GUID NPIID;
typedef const struct _GUID *PNPIID;

/**
 * enum _NPI_MODULEID_TYPE - what identifies a module: NPI_MODULEID.Type
 * @MIT_GUID: NPI_MODULEID.Guid
 * @MIT_IF_LUID: NPI_MODULEID.IfLuid, a network interface's LUID
 */
typedef enum _NPI_MODULEID_TYPE {
	MIT_GUID = 1,
	MIT_IF_LUID,
} NPI_MODULEID_TYPE;

/**
 * struct _NPI_MODULEID - the identity of a network module (NPI_MODULEID)
 * @Length: sizeof(NPI_MODULEID); not compared
 * @Type: %MIT_GUID or %MIT_IF_LUID; 16 bits here, to have the layout of
 *	struct nmr_module_id (an NPI_MODULEID_TYPE enum on Windows)
 * @Guid: the id when @Type is %MIT_GUID
 * @IfLuid: the id when @Type is %MIT_IF_LUID
 *
 * Layout-identical to struct nmr_module_id (checked below): a Linux-style
 * peer reads it as its own.
 */
typedef struct _NPI_MODULEID {
	USHORT Length;
	USHORT Type;
	union {
		GUID Guid;
		LUID IfLuid;
	} __aligned(8);
} NPI_MODULEID;

typedef const struct _NPI_MODULEID *PNPI_MODULEID;

/**
 * struct _NPI_REGISTRATION_INSTANCE - what a registration is (NPI_REGISTRATION_INSTANCE)
 * @Version: passed through, never checked; set it to 0
 * @Size: sizeof(NPI_REGISTRATION_INSTANCE); passed through, never checked
 * @NpiId: the NPI; required; clients and providers match when the GUIDs are equal
 * @ModuleId: the registering module's identity; may be NULL (warned once)
 * @Number: the NPI's implementation number, opaque to the NMR
 * @NpiSpecificCharacteristics: NPI-defined data, opaque to the NMR
 *
 * Layout-identical to struct nmr_registration_instance (checked below): a
 * peer's callback receives a pointer to the very instance its peer
 * registered, in either style. The NMR keeps a pointer to it and to
 * everything it points to (REG-3): they must stay valid until the
 * deregistration wait returned.
 */
typedef struct _NPI_REGISTRATION_INSTANCE {
	USHORT Version;
	USHORT Size;
	PNPIID NpiId;
	PNPI_MODULEID ModuleId;
	ULONG Number;
	const VOID *NpiSpecificCharacteristics;
} NPI_REGISTRATION_INSTANCE;

/* Points to const here: both spellings of a callback's parameter are then one type. */
typedef const struct _NPI_REGISTRATION_INSTANCE *PNPI_REGISTRATION_INSTANCE;

static_assert(MIT_GUID == NMR_MIT_GUID && MIT_IF_LUID == NMR_MIT_IF_LUID,
	      "MIT_* are the NMR_MIT_* values");
static_assert(sizeof(NPI_MODULEID) == sizeof(struct nmr_module_id) &&
	      offsetof(NPI_MODULEID, Length) == offsetof(struct nmr_module_id, length) &&
	      offsetof(NPI_MODULEID, Type) == offsetof(struct nmr_module_id, type) &&
	      offsetof(NPI_MODULEID, Guid) == offsetof(struct nmr_module_id, guid) &&
	      offsetof(NPI_MODULEID, IfLuid) == offsetof(struct nmr_module_id, if_luid) &&
	      sizeof_field(NPI_MODULEID, Type) == sizeof_field(struct nmr_module_id, type),
	      "NPI_MODULEID has the layout of struct nmr_module_id");
static_assert(sizeof(NPI_REGISTRATION_INSTANCE) == sizeof(struct nmr_registration_instance) &&
	      offsetof(NPI_REGISTRATION_INSTANCE, Version) ==
	      offsetof(struct nmr_registration_instance, version) &&
	      offsetof(NPI_REGISTRATION_INSTANCE, Size) ==
	      offsetof(struct nmr_registration_instance, size) &&
	      offsetof(NPI_REGISTRATION_INSTANCE, NpiId) ==
	      offsetof(struct nmr_registration_instance, npi_id) &&
	      offsetof(NPI_REGISTRATION_INSTANCE, ModuleId) ==
	      offsetof(struct nmr_registration_instance, module_id) &&
	      offsetof(NPI_REGISTRATION_INSTANCE, Number) ==
	      offsetof(struct nmr_registration_instance, number) &&
	      sizeof_field(NPI_REGISTRATION_INSTANCE, Number) ==
	      sizeof_field(struct nmr_registration_instance, number) &&
	      offsetof(NPI_REGISTRATION_INSTANCE, NpiSpecificCharacteristics) ==
	      offsetof(struct nmr_registration_instance, npi_specific),
	      "NPI_REGISTRATION_INSTANCE has the layout of struct nmr_registration_instance");

/* The same registration instance seen by the other style (layouts checked above). */
static inline const struct nmr_registration_instance *
__nmr_nt_linux_ri(PNPI_REGISTRATION_INSTANCE ri)
{
	const void *same = ri;

	return same;
}

static inline PNPI_REGISTRATION_INSTANCE
__nmr_nt_windows_ri(const struct nmr_registration_instance *ri)
{
	const void *same = ri;

	return same;
}

/* ---- handles ---- */

/* The handle types of the calls and callbacks: see "Strict handles". */
#ifdef NMR_NT_STRICT_HANDLES
typedef struct nmr_client *NMR_CLIENT_HANDLE;
typedef struct nmr_provider *NMR_PROVIDER_HANDLE;
typedef struct nmr_binding *NMR_BINDING_HANDLE;
#else
typedef HANDLE NMR_CLIENT_HANDLE;
typedef HANDLE NMR_PROVIDER_HANDLE;
typedef HANDLE NMR_BINDING_HANDLE;
#endif

/* ---- the callbacks and the characteristics ---- */

/**
 * typedef NPI_CLIENT_ATTACH_PROVIDER_FN - a client's ClientAttachProvider callback
 * @NmrBindingHandle: the binding, for NmrClientAttachProvider()
 * @ClientContext: the ClientContext given to NmrRegisterClient()
 * @ProviderRegistration: the provider's own registration instance (Windows
 *	names the parameter ProviderRegistrationInstance)
 *
 * Context: process context, may sleep; runs inside the NmrRegister*() of
 * whichever of the two registered later.
 * Return: STATUS_SUCCESS after a successful NmrClientAttachProvider();
 * STATUS_NOINTERFACE to decline; another status for an error.
 */
typedef NTSTATUS NPI_CLIENT_ATTACH_PROVIDER_FN(NMR_BINDING_HANDLE NmrBindingHandle,
					       PVOID ClientContext,
					       PNPI_REGISTRATION_INSTANCE ProviderRegistration);
typedef NPI_CLIENT_ATTACH_PROVIDER_FN(*PNPI_CLIENT_ATTACH_PROVIDER_FN);

/**
 * typedef NPI_CLIENT_DETACH_PROVIDER_FN - a client's ClientDetachProvider callback
 * @ClientBindingContext: the client's context for the binding
 *
 * Context: process context (with atomic_callbacks=1, preemption off: EXT-5).
 * Return: STATUS_SUCCESS when no call into the provider is in flight any more;
 * STATUS_PENDING, then NmrClientDetachProviderComplete() after the last one.
 */
typedef NTSTATUS NPI_CLIENT_DETACH_PROVIDER_FN(PVOID ClientBindingContext);
typedef NPI_CLIENT_DETACH_PROVIDER_FN(*PNPI_CLIENT_DETACH_PROVIDER_FN);

/**
 * typedef NPI_CLIENT_CLEANUP_BINDING_CONTEXT_FN - a client's cleanup callback
 * @ClientBindingContext: the client's context for the binding, to be freed now
 *
 * Optional. Context: process context (with atomic_callbacks=1, preemption off).
 */
typedef VOID NPI_CLIENT_CLEANUP_BINDING_CONTEXT_FN(PVOID ClientBindingContext);
typedef NPI_CLIENT_CLEANUP_BINDING_CONTEXT_FN(*PNPI_CLIENT_CLEANUP_BINDING_CONTEXT_FN);

/**
 * typedef NPI_PROVIDER_ATTACH_CLIENT_FN - a provider's ProviderAttachClient callback
 * @NmrBindingHandle: the binding, provider side
 * @ProviderContext: the ProviderContext given to NmrRegisterProvider()
 * @ClientRegistration: the client's own registration instance (Windows names
 *	the parameter ClientRegistrationInstance)
 * @ClientBindingContext: the client's context for the binding
 * @ClientDispatch: the client's dispatch table
 * @ProviderBindingContext: out: the provider's context for the binding
 * @ProviderDispatch: out: the provider's dispatch table
 *
 * Context: process context, may sleep; runs inside the client's
 * NmrClientAttachProvider().
 * Return: STATUS_SUCCESS, with both out-parameters set, to accept;
 * STATUS_NOINTERFACE to decline; another status for an error, which the
 * client's NmrClientAttachProvider() returns.
 */
typedef NTSTATUS NPI_PROVIDER_ATTACH_CLIENT_FN(NMR_BINDING_HANDLE NmrBindingHandle,
					       PVOID ProviderContext,
					       PNPI_REGISTRATION_INSTANCE ClientRegistration,
					       PVOID ClientBindingContext,
					       const VOID *ClientDispatch,
					       PVOID *ProviderBindingContext,
					       const VOID **ProviderDispatch);
typedef NPI_PROVIDER_ATTACH_CLIENT_FN(*PNPI_PROVIDER_ATTACH_CLIENT_FN);

/**
 * typedef NPI_PROVIDER_DETACH_CLIENT_FN - a provider's ProviderDetachClient callback
 * @ProviderBindingContext: the provider's context for the binding
 *
 * Context: as NPI_CLIENT_DETACH_PROVIDER_FN.
 * Return: STATUS_SUCCESS when no call into the client is in flight any more;
 * STATUS_PENDING, then NmrProviderDetachClientComplete() after the last one.
 */
typedef NTSTATUS NPI_PROVIDER_DETACH_CLIENT_FN(PVOID ProviderBindingContext);
typedef NPI_PROVIDER_DETACH_CLIENT_FN(*PNPI_PROVIDER_DETACH_CLIENT_FN);

/**
 * typedef NPI_PROVIDER_CLEANUP_BINDING_CONTEXT_FN - a provider's cleanup callback
 * @ProviderBindingContext: the provider's context for the binding, to be freed now
 *
 * Optional. Context: as NPI_CLIENT_CLEANUP_BINDING_CONTEXT_FN.
 */
typedef VOID NPI_PROVIDER_CLEANUP_BINDING_CONTEXT_FN(PVOID ProviderBindingContext);
typedef NPI_PROVIDER_CLEANUP_BINDING_CONTEXT_FN(*PNPI_PROVIDER_CLEANUP_BINDING_CONTEXT_FN);

/**
 * struct _NPI_CLIENT_CHARACTERISTICS - a client's callbacks (NPI_CLIENT_CHARACTERISTICS)
 * @Version: 0
 * @Length: sizeof(NPI_CLIENT_CHARACTERISTICS)
 * @ClientAttachProvider: required
 * @ClientDetachProvider: required
 * @ClientCleanupBindingContext: optional (NULL)
 * @ClientRegistrationInstance: what the client is
 *
 * Kept, not copied: it must stay valid until the deregistration wait returned.
 */
typedef struct _NPI_CLIENT_CHARACTERISTICS {
	USHORT Version;
	USHORT Length;
	PNPI_CLIENT_ATTACH_PROVIDER_FN ClientAttachProvider;
	PNPI_CLIENT_DETACH_PROVIDER_FN ClientDetachProvider;
	PNPI_CLIENT_CLEANUP_BINDING_CONTEXT_FN ClientCleanupBindingContext;
	NPI_REGISTRATION_INSTANCE ClientRegistrationInstance;
} NPI_CLIENT_CHARACTERISTICS, *PNPI_CLIENT_CHARACTERISTICS;

/**
 * struct _NPI_PROVIDER_CHARACTERISTICS - a provider's callbacks (NPI_PROVIDER_CHARACTERISTICS)
 * @Version: 0
 * @Length: sizeof(NPI_PROVIDER_CHARACTERISTICS)
 * @ProviderAttachClient: required
 * @ProviderDetachClient: required
 * @ProviderCleanupBindingContext: optional (NULL)
 * @ProviderRegistrationInstance: what the provider is
 *
 * Kept, not copied: it must stay valid until the deregistration wait returned.
 */
typedef struct _NPI_PROVIDER_CHARACTERISTICS {
	USHORT Version;
	USHORT Length;
	PNPI_PROVIDER_ATTACH_CLIENT_FN ProviderAttachClient;
	PNPI_PROVIDER_DETACH_CLIENT_FN ProviderDetachClient;
	PNPI_PROVIDER_CLEANUP_BINDING_CONTEXT_FN ProviderCleanupBindingContext;
	NPI_REGISTRATION_INSTANCE ProviderRegistrationInstance;
} NPI_PROVIDER_CHARACTERISTICS, *PNPI_PROVIDER_CHARACTERISTICS;

/*
 * ---- the trampolines (nmr_tramp.h) ----
 *
 * The NMR calls these with the Windows characteristics first; each calls the
 * Windows callback with the NMR's own arguments, unchanged, and turns its
 * NTSTATUS into the errno the NMR reads.
 */

static inline int __nmr_nt_client_attach(const void *data, struct nmr_binding *binding,
					 void *client_ctx,
					 const struct nmr_registration_instance *provider)
{
	const NPI_CLIENT_CHARACTERISTICS *chars = data;

	return nmr_ntstatus_to_errno(chars->ClientAttachProvider(binding, client_ctx,
								 __nmr_nt_windows_ri(provider)));
}

static inline int __nmr_nt_client_detach(const void *data, void *client_binding_ctx)
{
	const NPI_CLIENT_CHARACTERISTICS *chars = data;

	return nmr_ntstatus_to_errno(chars->ClientDetachProvider(client_binding_ctx));
}

static inline void __nmr_nt_client_cleanup(const void *data, void *client_binding_ctx)
{
	const NPI_CLIENT_CHARACTERISTICS *chars = data;

	if (chars->ClientCleanupBindingContext)
		chars->ClientCleanupBindingContext(client_binding_ctx);
}

static inline int __nmr_nt_provider_attach(const void *data, struct nmr_binding *binding,
					   void *provider_ctx,
					   const struct nmr_registration_instance *client,
					   void *client_binding_ctx, const void *client_dispatch,
					   void **provider_binding_ctx,
					   const void **provider_dispatch)
{
	const NPI_PROVIDER_CHARACTERISTICS *chars = data;

	return nmr_ntstatus_to_errno(chars->ProviderAttachClient(binding, provider_ctx,
								 __nmr_nt_windows_ri(client),
								 client_binding_ctx,
								 client_dispatch,
								 provider_binding_ctx,
								 provider_dispatch));
}

static inline int __nmr_nt_provider_detach(const void *data, void *provider_binding_ctx)
{
	const NPI_PROVIDER_CHARACTERISTICS *chars = data;

	return nmr_ntstatus_to_errno(chars->ProviderDetachClient(provider_binding_ctx));
}

static inline void __nmr_nt_provider_cleanup(const void *data, void *provider_binding_ctx)
{
	const NPI_PROVIDER_CHARACTERISTICS *chars = data;

	if (chars->ProviderCleanupBindingContext)
		chars->ProviderCleanupBindingContext(provider_binding_ctx);
}

/* ---- the calls ---- */

/**
 * NmrRegisterClient() - register a client of an NPI
 * @ClientCharacteristics: the client's callbacks and registration instance;
 *	kept, not copied
 * @ClientContext: passed to the client's ClientAttachProvider
 * @NmrClientHandle: where the handle is written, before any callback runs
 *
 * An inline, so that the NMR records the module that includes this header as
 * the owner. The client's ClientAttachProvider runs on this thread, before
 * this returns, for each provider of the NPI already registered (ATT-2).
 *
 * Context: process context; sleeps.
 * Return: STATUS_SUCCESS and a handle. STATUS_INVALID_PARAMETER (a NULL
 * argument, a Length smaller than the structure, no ClientAttachProvider or
 * ClientDetachProvider, no NpiId) or STATUS_INSUFFICIENT_RESOURCES, with
 * nothing registered and the handle NULL (REG-1).
 */
static inline NTSTATUS NmrRegisterClient(const NPI_CLIENT_CHARACTERISTICS *ClientCharacteristics,
					 PVOID ClientContext,
					 NMR_CLIENT_HANDLE *NmrClientHandle)
{
	static const struct nmr_client_tramp tramp = {
		.attach_provider = __nmr_nt_client_attach,
		.detach_provider = __nmr_nt_client_detach,
		.cleanup_binding_context = __nmr_nt_client_cleanup,
	};
	const NPI_CLIENT_CHARACTERISTICS *chars = ClientCharacteristics;

	/* Characteristics that cannot work: the NMR refuses them as a misuse (REG-1). */
	if (chars && (chars->Length < sizeof(*chars) || !chars->ClientAttachProvider ||
		      !chars->ClientDetachProvider))
		chars = NULL;
	return nmr_errno_to_ntstatus(__nmr_register_client_tramp(&tramp, chars,
		chars ? __nmr_nt_linux_ri(&chars->ClientRegistrationInstance) : NULL,
		ClientContext, (struct nmr_client **)NmrClientHandle, THIS_MODULE));
}

/**
 * NmrRegisterProvider() - register a provider of an NPI
 * @ProviderCharacteristics: the provider's callbacks and registration
 *	instance; kept, not copied
 * @ProviderContext: passed to the provider's ProviderAttachClient
 * @NmrProviderHandle: where the handle is written, before any callback runs
 *
 * As NmrRegisterClient(), from the provider side: the ClientAttachProvider
 * of each client of the NPI already registered runs on this thread.
 *
 * Context: process context; sleeps.
 * Return: STATUS_SUCCESS and a handle; STATUS_INVALID_PARAMETER or
 * STATUS_INSUFFICIENT_RESOURCES with nothing registered and the handle NULL.
 */
static inline NTSTATUS
NmrRegisterProvider(const NPI_PROVIDER_CHARACTERISTICS *ProviderCharacteristics,
		    PVOID ProviderContext, NMR_PROVIDER_HANDLE *NmrProviderHandle)
{
	static const struct nmr_provider_tramp tramp = {
		.attach_client = __nmr_nt_provider_attach,
		.detach_client = __nmr_nt_provider_detach,
		.cleanup_binding_context = __nmr_nt_provider_cleanup,
	};
	const NPI_PROVIDER_CHARACTERISTICS *chars = ProviderCharacteristics;

	if (chars && (chars->Length < sizeof(*chars) || !chars->ProviderAttachClient ||
		      !chars->ProviderDetachClient))
		chars = NULL;
	return nmr_errno_to_ntstatus(__nmr_register_provider_tramp(&tramp, chars,
		chars ? __nmr_nt_linux_ri(&chars->ProviderRegistrationInstance) : NULL,
		ProviderContext, (struct nmr_provider **)NmrProviderHandle, THIS_MODULE));
}

/**
 * NmrDeregisterClient() - start removing a client: nmr_deregister_client()
 * @NmrClientHandle: the handle from NmrRegisterClient()
 *
 * The client's bindings are detached, both detach callbacks on this thread,
 * before this returns. Call NmrWaitForClientDeregisterComplete() next.
 *
 * Context: process context; sleeps (Windows also allows DISPATCH_LEVEL: from
 * atomic context, queue a work item that calls this).
 * Return: STATUS_PENDING, which means success, every time.
 * STATUS_INVALID_PARAMETER for NULL, STATUS_INVALID_PARAMETER_1 for a handle
 * that is not a live client, STATUS_INVALID_DEVICE_STATE if it is already
 * deregistering.
 */
static inline NTSTATUS NmrDeregisterClient(NMR_CLIENT_HANDLE NmrClientHandle)
{
	return nmr_errno_to_ntstatus(nmr_deregister_client(NmrClientHandle));
}

/**
 * NmrDeregisterProvider() - start removing a provider: nmr_deregister_provider()
 * @NmrProviderHandle: the handle from NmrRegisterProvider()
 *
 * As NmrDeregisterClient(), for a provider. Call
 * NmrWaitForProviderDeregisterComplete() next.
 *
 * Context: process context; sleeps.
 * Return: STATUS_PENDING, which means success, every time.
 * STATUS_INVALID_PARAMETER for NULL, STATUS_INVALID_PARAMETER_1 for a handle
 * that is not a live provider, STATUS_INVALID_DEVICE_STATE if it is already
 * deregistering.
 */
static inline NTSTATUS NmrDeregisterProvider(NMR_PROVIDER_HANDLE NmrProviderHandle)
{
	return nmr_errno_to_ntstatus(nmr_deregister_provider(NmrProviderHandle));
}

/* A wait call's result: STATUS_INVALID_PARAMETER for a handle not valid, as Windows says. */
static inline NTSTATUS __nmr_nt_wait_status(int err)
{
	return err == -EBADF ? STATUS_INVALID_PARAMETER : nmr_errno_to_ntstatus(err);
}

/**
 * NmrWaitForClientDeregisterComplete() - wait until a client is gone
 * @NmrClientHandle: a handle passed to NmrDeregisterClient()
 *
 * nmr_wait_for_client_deregister_complete(): blocks until every binding of
 * the client is gone. After it returns no callback of the client runs again
 * and the handle is dead.
 *
 * Context: process context; sleeps (Windows: below DISPATCH_LEVEL). Not from
 * a callback that this deregistration waits for.
 * Return: STATUS_SUCCESS. STATUS_INVALID_PARAMETER before
 * NmrDeregisterClient() or for a handle that is not a live client;
 * STATUS_POSSIBLE_DEADLOCK, with a warning, from a callback that the wait
 * depends on (HDL-4).
 */
static inline NTSTATUS NmrWaitForClientDeregisterComplete(NMR_CLIENT_HANDLE NmrClientHandle)
{
	return __nmr_nt_wait_status(nmr_wait_for_client_deregister_complete(NmrClientHandle));
}

/**
 * NmrWaitForProviderDeregisterComplete() - wait until a provider is gone
 * @NmrProviderHandle: a handle passed to NmrDeregisterProvider()
 *
 * As NmrWaitForClientDeregisterComplete(), for a provider.
 *
 * Context: process context; sleeps. Not from a callback that this
 * deregistration waits for.
 * Return: STATUS_SUCCESS. STATUS_INVALID_PARAMETER before
 * NmrDeregisterProvider() or for a handle that is not a live provider;
 * STATUS_POSSIBLE_DEADLOCK from a callback that the wait depends on (HDL-4).
 */
static inline NTSTATUS
NmrWaitForProviderDeregisterComplete(NMR_PROVIDER_HANDLE NmrProviderHandle)
{
	return __nmr_nt_wait_status(nmr_wait_for_provider_deregister_complete(NmrProviderHandle));
}

/**
 * NmrClientAttachProvider() - accept an offer: nmr_client_attach_provider()
 * @NmrBindingHandle: the handle the client's ClientAttachProvider was given
 * @ClientBindingContext: the client's context for this binding
 * @ClientDispatch: the client's dispatch table, given to the provider
 * @ProviderBindingContext: out: the provider's context for this binding
 * @ProviderDispatch: out: the provider's dispatch table
 *
 * Calls the provider's attach callback on this thread. Call it only from the
 * client's ClientAttachProvider for this binding; after a failure it may be
 * called again.
 *
 * Context: process context, inside the client's ClientAttachProvider; sleeps
 * if the provider does.
 * Return: the provider's status, passed through: STATUS_SUCCESS (the
 * out-parameters are written) or its error, STATUS_NOINTERFACE for a decline;
 * a provider error outside the table arrives as STATUS_UNSUCCESSFUL.
 * STATUS_INVALID_DEVICE_STATE once attached; STATUS_INVALID_PARAMETER_1 for a
 * handle that is not the client side of a running offer;
 * STATUS_INVALID_PARAMETER for NULL.
 */
static inline NTSTATUS NmrClientAttachProvider(NMR_BINDING_HANDLE NmrBindingHandle,
					       PVOID ClientBindingContext,
					       const VOID *ClientDispatch,
					       PVOID *ProviderBindingContext,
					       const VOID **ProviderDispatch)
{
	return nmr_errno_to_ntstatus(nmr_client_attach_provider(NmrBindingHandle,
								ClientBindingContext,
								ClientDispatch,
								ProviderBindingContext,
								ProviderDispatch));
}

/**
 * NmrClientDetachProviderComplete() - the client's pending detach is done
 * @NmrBindingHandle: the client side's binding handle
 *
 * nmr_client_detach_provider_complete(), returning nothing as on Windows. A
 * misuse (a second completion, a completion after the detach callback
 * returned STATUS_SUCCESS, a wrong handle) changes nothing and is reported in
 * the kernel log; call nmr_client_detach_provider_complete() to get its error.
 *
 * Context: any context, hard interrupt included (Windows: up to
 * DISPATCH_LEVEL); never sleeps.
 */
static inline void NmrClientDetachProviderComplete(NMR_BINDING_HANDLE NmrBindingHandle)
{
	nmr_client_detach_provider_complete(NmrBindingHandle);
}

/**
 * NmrProviderDetachClientComplete() - the provider's pending detach is done
 * @NmrBindingHandle: the provider side's binding handle
 *
 * nmr_provider_detach_client_complete(), returning nothing as on Windows. A
 * misuse changes nothing and is reported in the kernel log.
 *
 * Context: any context, hard interrupt included (Windows: up to
 * DISPATCH_LEVEL); never sleeps.
 */
static inline void NmrProviderDetachClientComplete(NMR_BINDING_HANDLE NmrBindingHandle)
{
	nmr_provider_detach_client_complete(NmrBindingHandle);
}

/**
 * NmrIsEqualNpiModuleId() - compare two module ids: nmr_module_id_equal()
 * @ModuleId1: one id
 * @ModuleId2: the other
 *
 * Context: any context.
 * Return: TRUE when the types match and so do the GUIDs (MIT_GUID) or the
 * LUIDs (MIT_IF_LUID); the length is not compared.
 */
static inline BOOLEAN NmrIsEqualNpiModuleId(PNPI_MODULEID ModuleId1, PNPI_MODULEID ModuleId2)
{
	const void *a = ModuleId1, *b = ModuleId2;

	return nmr_module_id_equal(a, b) ? TRUE : FALSE;
}

#endif /* _NMR_NMR_NTCOMPAT_H */
