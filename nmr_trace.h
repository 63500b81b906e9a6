/* SPDX-License-Identifier: GPL-2.0 */
/* The NMR's tracepoints (EXT-2): one per transition, ids as in debugfs. */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM nmr

#if !defined(_NMR_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _NMR_TRACE_H

#include <linux/module.h>
#include <linux/tracepoint.h>
#include <linux/uuid.h>

#define nmr_trace_role(role) __print_symbolic(role, { 0, "client" }, { 1, "provider" })

TRACE_EVENT(nmr_register,
	TP_PROTO(u64 id, int role, const char *owner, const guid_t *npi, u32 number),
	TP_ARGS(id, role, owner, npi, number),
	TP_STRUCT__entry(
		__field(u64, id)
		__field(int, role)
		__array(char, owner, MODULE_NAME_LEN)
		__array(u8, npi, 16)
		__field(u32, number)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->role = role;
		strscpy(__entry->owner, owner, MODULE_NAME_LEN);
		memcpy(__entry->npi, npi, 16);
		__entry->number = number;
	),
	TP_printk("%s id=%llu owner=%s npi=%pUl number=%u", nmr_trace_role(__entry->role),
		  __entry->id, __entry->owner, __entry->npi, __entry->number)
);

DECLARE_EVENT_CLASS(nmr_reg_class,
	TP_PROTO(u64 id, int role),
	TP_ARGS(id, role),
	TP_STRUCT__entry(
		__field(u64, id)
		__field(int, role)
	),
	TP_fast_assign(
		__entry->id = id;
		__entry->role = role;
	),
	TP_printk("%s id=%llu", nmr_trace_role(__entry->role), __entry->id)
);

DEFINE_EVENT(nmr_reg_class, nmr_deregister, TP_PROTO(u64 id, int role), TP_ARGS(id, role));
DEFINE_EVENT(nmr_reg_class, nmr_wait_done, TP_PROTO(u64 id, int role), TP_ARGS(id, role));

DECLARE_EVENT_CLASS(nmr_binding_class,
	TP_PROTO(u64 binding, u64 client, u64 provider, int result),
	TP_ARGS(binding, client, provider, result),
	TP_STRUCT__entry(
		__field(u64, binding)
		__field(u64, client)
		__field(u64, provider)
		__field(int, result)
	),
	TP_fast_assign(
		__entry->binding = binding;
		__entry->client = client;
		__entry->provider = provider;
		__entry->result = result;
	),
	TP_printk("binding=%llu client=%llu provider=%llu result=%d", __entry->binding,
		  __entry->client, __entry->provider, __entry->result)
);

/* An offer starts (ATT-3); result is 0. */
DEFINE_EVENT(nmr_binding_class, nmr_offer,
	TP_PROTO(u64 binding, u64 client, u64 provider, int result),
	TP_ARGS(binding, client, provider, result));
/* The offer settled: 0 attached, otherwise why not (ATT-5, ATT-7, ATT-8). */
DEFINE_EVENT(nmr_binding_class, nmr_attach,
	TP_PROTO(u64 binding, u64 client, u64 provider, int result),
	TP_ARGS(binding, client, provider, result));
/* Both cleanup callbacks returned; result is 0. */
DEFINE_EVENT(nmr_binding_class, nmr_cleanup,
	TP_PROTO(u64 binding, u64 client, u64 provider, int result),
	TP_ARGS(binding, client, provider, result));

DECLARE_EVENT_CLASS(nmr_side_class,
	TP_PROTO(u64 binding, int side, int result),
	TP_ARGS(binding, side, result),
	TP_STRUCT__entry(
		__field(u64, binding)
		__field(int, side)
		__field(int, result)
	),
	TP_fast_assign(
		__entry->binding = binding;
		__entry->side = side;
		__entry->result = result;
	),
	TP_printk("binding=%llu side=%s result=%d", __entry->binding,
		  nmr_trace_role(__entry->side), __entry->result)
);

/* Detaching begins; side is the one detached first (DET-2). */
DEFINE_EVENT(nmr_side_class, nmr_detach_start,
	TP_PROTO(u64 binding, int side, int result), TP_ARGS(binding, side, result));
/* A detach callback returned result (DET-4). */
DEFINE_EVENT(nmr_side_class, nmr_detach,
	TP_PROTO(u64 binding, int side, int result), TP_ARGS(binding, side, result));
/* A *_detach_complete() call, with its result (DET-5, DET-6, HDL-5). */
DEFINE_EVENT(nmr_side_class, nmr_detach_complete,
	TP_PROTO(u64 binding, int side, int result), TP_ARGS(binding, side, result));

#endif /* _NMR_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE nmr_trace
#include <trace/define_trace.h>
