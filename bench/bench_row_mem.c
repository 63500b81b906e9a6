// SPDX-License-Identifier: GPL-2.0
/* nmr_bench row 5: slab memory per registration, binding and auxiliary device. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/auxiliary_bus.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/notifier.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmstat.h>
#include "bench.h"
#include "nmr_compat.h"

/* Pages in slab caches now, exactly: the global counters plus every CPU's unfolded delta. */
static long bench_slab_pages(void)
{
	static const enum node_stat_item items[] = {
		NR_SLAB_RECLAIMABLE_B, NR_SLAB_UNRECLAIMABLE_B,
	};
	long pages = 0;
	unsigned int i;
	int nid, cpu;

	rcu_barrier();		/* call_rcu() frees */
	nmr_kvfree_rcu_barrier();	/* kfree_rcu() frees */
	for (i = 0; i < ARRAY_SIZE(items); i++) {
		pages += atomic_long_read(&vm_node_stat[items[i]]);
		for_each_online_node(nid)
			for_each_online_cpu(cpu)
				pages += per_cpu_ptr(NODE_DATA(nid)->per_cpu_nodestats,
						     cpu)->vm_node_stat_diff[items[i]];
	}
	return pages;
}

/* Bytes per object of the second of two batches of @n (the first absorbs free slab space). */
static long bench_mem_per(long before, long after, unsigned int n)
{
	return n ? (after - before) * (long)PAGE_SIZE / (long)n : 0;
}

/* 2 * mem_objects providers, each of an NPI of its own. */
static int bench_mem_own_npi(struct bench_mem_result *m)
{
	struct bench_many many;
	long s1, s2;
	int ret, r;

	ret = bench_many_alloc(&many, 2 * m->objects, BENCH_NPI_MEM_OWN);
	if (ret)
		return ret;
	ret = bench_many_register(&many, m->objects);
	s1 = bench_slab_pages();
	ret = ret ?: bench_many_register(&many, m->objects);
	s2 = bench_slab_pages();
	m->reg_own_npi = bench_mem_per(s1, s2, m->objects);
	r = bench_many_free(&many);
	return ret ?: r;
}

/* Register 2 * @objects clients of @n; *@per: bytes per client of the second half. */
static int bench_mem_clients(struct bench_npi *n, unsigned int objects, long *per)
{
	unsigned int total = 2 * objects, done = 0, i;
	struct nmr_client **h;
	long s1 = 0, s2 = 0;
	int ret = 0, r;

	h = kvcalloc(total, sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	while (done < total) {
		if (done == objects)
			s1 = bench_slab_pages();
		ret = nmr_register_client(&n->cc, n, &h[done]);
		if (ret)
			break;
		done++;
		cond_resched();
	}
	if (!ret) {
		s2 = bench_slab_pages();
		*per = bench_mem_per(s1, s2, objects);
	}
	for (i = 0; i < done; i++) {
		r = bench_client_gone(h[i]);
		ret = ret ?: r;
		cond_resched();
	}
	kvfree(h);
	return ret;
}

/* Clients of one NPI: with no provider (unbound), then with one (each binds). */
static int bench_mem_shared_npi(struct bench_mem_result *m)
{
	struct nmr_provider *p;
	struct bench_npi *n;
	int ret, r;

	n = kmalloc(sizeof(*n), GFP_KERNEL);
	if (!n)
		return -ENOMEM;
	bench_npi_init(n, BENCH_NPI_MEM_SHARED);
	ret = bench_mem_clients(n, m->objects, &m->reg_shared_npi);
	if (!ret) {
		bench_npi_init(n, BENCH_NPI_MEM_BOUND);
		ret = nmr_register_provider(&n->pc, n, &p);
		if (!ret) {
			ret = bench_mem_clients(n, m->objects, &m->reg_bound);
			r = bench_provider_gone(p);
			ret = ret ?: r;
			if (!ret && n->attached != 2 * m->objects)
				ret = -EPROTO;
		}
	}
	kfree(n);
	return ret;
}

/* 2 * mem_aux auxiliary devices, each bound to the bench's driver. */
static int bench_mem_aux_devices(struct bench_mem_result *m)
{
	unsigned int total = 2 * m->aux_objects, done = 0, i;
	unsigned long probed = bench_aux_probed();
	struct auxiliary_device **a;
	long s1 = 0, s2;
	int ret = 0;

	a = kvcalloc(total, sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	while (done < total) {
		if (done == m->aux_objects)
			s1 = bench_slab_pages();
		a[done] = bench_aux_add();
		if (IS_ERR(a[done])) {
			ret = PTR_ERR(a[done]);
			break;
		}
		done++;
		cond_resched();
	}
	if (!ret) {
		s2 = bench_slab_pages();
		m->aux_device = bench_mem_per(s1, s2, m->aux_objects);
		m->aux = true;
		if (bench_aux_probed() - probed != total)
			ret = -ENODEV;
	}
	for (i = 0; i < done; i++)
		bench_aux_del(a[i]);
	kvfree(a);
	return ret;
}

int bench_row_mem(struct bench_results *res)
{
	struct bench_mem_result *m = &res->mem;
	int ret;

	m->objects = bench_mem_objects;
	m->aux_objects = bench_mem_aux;
	ret = bench_mem_own_npi(m);
	ret = ret ?: bench_mem_shared_npi(m);
	if (!ret && BENCH_HAVE_AUX)
		ret = bench_mem_aux_devices(m);
	if (ret)
		return ret;
	m->binding = m->reg_bound - m->reg_shared_npi;
	m->notifier_block = sizeof(struct notifier_block);
	return 0;
}
