#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The strict handles of nmr_ntcompat.h (EXT-6): mixing up NMR handles must not compile.
#
#   scripts/nt-strict-check.sh [KDIR]
#
# Compiles a few small files of Windows code against KDIR (default: $KDIR, else the cached
# test kernel), each twice: as it is, where every NMR handle is a HANDLE and it must compile
# (W=1, -Werror), and with NMR_NT_STRICT_HANDLES, where it must fail on its line marked MIX
# with an incompatible-pointer-type error, and on no other line. A file that compiles cleanly
# in the strict mode is the control: it must compile in both. Prints one line per finding,
# nothing when all is well (scripts/lint.sh runs it); exits non-zero on a finding.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kbuild=${1:-${KDIR:-$("$top/scripts/kernel.sh" debug)}}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# case NAME: the file's body from stdin, after the common head below.
head='// SPDX-License-Identifier: GPL-2.0
#include <nmr/nmr_ntcompat.h>

NTSTATUS nt_case(NMR_CLIENT_HANDLE Client, NMR_PROVIDER_HANDLE Provider,
		 NMR_BINDING_HANDLE Binding);
'
cases=()
case_file() {
	cases+=("$1")
	{ printf '%s' "$head"; cat; } > "$tmp/p_$1.c"
	cp "$tmp/p_$1.c" "$tmp/s_$1.c"
}

# msquic's bug: a pending detach completed with the client's registration handle.
case_file complete_with_registration <<'EOF'
NTSTATUS nt_case(NMR_CLIENT_HANDLE Client, NMR_PROVIDER_HANDLE Provider,
		 NMR_BINDING_HANDLE Binding)
{
	NmrClientDetachProviderComplete(Client);	/* MIX */
	return STATUS_SUCCESS;
}
EOF

case_file deregister_a_binding <<'EOF'
NTSTATUS nt_case(NMR_CLIENT_HANDLE Client, NMR_PROVIDER_HANDLE Provider,
		 NMR_BINDING_HANDLE Binding)
{
	return NmrDeregisterClient(Binding);	/* MIX */
}
EOF

case_file client_to_a_provider_call <<'EOF'
NTSTATUS nt_case(NMR_CLIENT_HANDLE Client, NMR_PROVIDER_HANDLE Provider,
		 NMR_BINDING_HANDLE Binding)
{
	return NmrWaitForProviderDeregisterComplete(Client);	/* MIX */
}
EOF

case_file attach_with_a_provider_handle <<'EOF'
NTSTATUS nt_case(NMR_CLIENT_HANDLE Client, NMR_PROVIDER_HANDLE Provider,
		 NMR_BINDING_HANDLE Binding)
{
	const VOID *Dispatch;
	PVOID Context;

	return NmrClientAttachProvider(Provider, NULL, NULL, &Context, &Dispatch);	/* MIX */
}
EOF

# A registration handle kept in a HANDLE: the porter types it in the strict mode.
case_file register_into_a_handle <<'EOF'
NTSTATUS nt_case(NMR_CLIENT_HANDLE Client, NMR_PROVIDER_HANDLE Provider,
		 NMR_BINDING_HANDLE Binding)
{
	static HANDLE NmrClientHandle;

	return NmrRegisterClient(NULL, NULL, &NmrClientHandle);	/* MIX */
}
EOF

# The control: the same calls, each with the right kind of handle.
case_file control <<'EOF'
NTSTATUS nt_case(NMR_CLIENT_HANDLE Client, NMR_PROVIDER_HANDLE Provider,
		 NMR_BINDING_HANDLE Binding)
{
	static NMR_CLIENT_HANDLE NmrClientHandle;
	const VOID *Dispatch;
	PVOID Context;

	NmrClientDetachProviderComplete(Binding);
	NmrProviderDetachClientComplete(Binding);
	if (NmrClientAttachProvider(Binding, NULL, NULL, &Context, &Dispatch) != STATUS_SUCCESS)
		return STATUS_NOINTERFACE;
	if (NmrWaitForProviderDeregisterComplete(Provider) != STATUS_SUCCESS)
		return STATUS_UNSUCCESSFUL;
	if (NmrRegisterClient(NULL, NULL, &NmrClientHandle) != STATUS_SUCCESS)
		return STATUS_UNSUCCESSFUL;
	return NmrDeregisterClient(Client);
}
EOF

{
	echo "ccflags-y := -I$top/include -I$top"
	for c in "${cases[@]}"; do
		echo "CFLAGS_s_$c.o := -DNMR_NT_STRICT_HANDLES"
	done
} > "$tmp/Kbuild"

targets=()
for c in "${cases[@]}"; do
	targets+=("p_$c.o" "s_$c.o")
done
out=$(make -k -C "$kbuild" M="$tmp" W=1 KCFLAGS=-Werror "${targets[@]}" 2>&1)

for c in "${cases[@]}"; do
	[ -f "$tmp/p_$c.o" ] || echo "$c: does not compile with HANDLEs (the default mode)"
	if [ "$c" = control ]; then
		[ -f "$tmp/s_$c.o" ] || echo "$c: does not compile with NMR_NT_STRICT_HANDLES"
		continue
	fi
	line=$(grep -n 'MIX' "$tmp/s_$c.c" | cut -d: -f1)
	[ -f "$tmp/s_$c.o" ] && echo "$c: compiles with NMR_NT_STRICT_HANDLES"
	echo "$out" | grep -qE "s_$c\.c:$line:[0-9]+: error: .*incompatible pointer type" ||
		echo "$c: no incompatible-pointer-type error on its line $line in the strict mode"
	echo "$out" | grep -E "s_$c\.c:[0-9]+:[0-9]+: error:" | grep -v "s_$c\.c:$line:" |
		sed "s|^|$c: another error: |"
done | grep . && exit 1
exit 0
