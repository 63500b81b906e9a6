// SPDX-License-Identifier: GPL-2.0
/* The same misbehaving NMR user under another module name, to be the first one's peer. */
#include "nmr_misbehave.c"
