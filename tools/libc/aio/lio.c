// SPDX-License-Identifier: GPL-2.0
/*
 * lio_listio(): each entry is an aio_read()/aio_write(); LIO_WAIT waits for
 * all of them (EIO if one failed), LIO_NOWAIT with a sigevent sends it
 * when the last one completes, through a group in the private region
 * (notify.c).  An entry point: each entry goes to vlibc_aio_submit()
 * (aio.c); the layers: vlibc/aio.h.
 */
#include <linux/errno.h>
#include <linux/signal.h>
#include <vlibc/aio.h>


struct lio_list {
	struct vlibc_aiocb *const	*list;
	int				n;
};

static int lio_all_done(void *ctx)
{
	const struct lio_list *l = ctx;
	int i;

	for (i = 0; i < l->n; i++) {
		const struct vlibc_aiocb *cb = l->list[i];

		if (cb && !vlibc_aio_check_cb(cb) && cb->lio_opcode != VLIBC_LIO_NOP &&
		    cb->state != AIO_REQ_IDLE && aio_in_progress(cb))
			return 0;
	}
	return 1;
}

static int lio_count(struct vlibc_aiocb *const list[], int n)
{
	int i, count = 0;

	for (i = 0; i < n; i++)
		count += list[i] && !vlibc_aio_check_cb(list[i]) &&
			 list[i]->lio_opcode != VLIBC_LIO_NOP;
	return count;
}

static long lio_submit_one(struct vlibc_aio_state *a, struct vlibc_aiocb *cb,
			   int group)
{
	long r;

	if (cb->reqprio < 0 || cb->reqprio > VLIBC_AIO_PRIO_DELTA_MAX)
		r = -EINVAL;
	else if (cb->lio_opcode != VLIBC_LIO_READ && cb->lio_opcode != VLIBC_LIO_WRITE)
		r = 1;		/* fails through aio_error, as in glibc */
	else if (aio_range_invalid(cb))
		r = 1;
	else
		r = vlibc_aio_submit(a, cb, cb->lio_opcode == VLIBC_LIO_READ ? AIO_OP_READ :
			       AIO_OP_WRITE, group);
	if (r == 1) {
		cb->group = group;
		vlibc_aio_accept(cb);
		vlibc_aio_complete(a, cb, -EINVAL, 0);
		return 0;
	}
	if (r) {
		vlibc_aio_not_accepted(cb, (int)r);
		if (group)
			vlibc_aio_group_done(a, group);
	}
	return r;
}

VLIBC_ENTRY long __vlibc_lio_listio(int mode, struct vlibc_aiocb *const list[],
				    int n, const struct vlibc_sigevent *sig)
{
	struct vlibc_aio_state *a = aio_state();
	struct lio_list l = { list, n };
	long r, err = 0;
	int i, group = 0, count;

	vlibc_stat_inc(VLIBC_STAT_lio_listio);
	if ((mode != VLIBC_LIO_WAIT && mode != VLIBC_LIO_NOWAIT) || n < 0 || (n && !list))
		return -EINVAL;
	count = lio_count(list, n);
	if (mode == VLIBC_LIO_NOWAIT && sig && (sig->notify == SIGEV_SIGNAL ||
					   sig->notify == SIGEV_THREAD)) {
		if (!count) {
			vlibc_aio_notify(a, sig);
			return 0;
		}
		group = vlibc_aio_group_take(a, sig, count);
		if (!group)
			return -EAGAIN;
	}
	for (i = 0; i < n; i++) {
		struct vlibc_aiocb *cb = list[i];

		if (!cb || vlibc_aio_check_cb(cb) || cb->lio_opcode == VLIBC_LIO_NOP)
			continue;
		r = lio_submit_one(a, cb, group);
		if (r && !err)
			err = r;
	}
	if (mode == VLIBC_LIO_NOWAIT)
		return err;
	/* A signal handler ran: EINTR, as POSIX says; the requests go on. */
	if (vlibc_aio_wait(a, lio_all_done, &l, 0, WAITER_CALLER, 0) == -EINTR)
		return -EINTR;
	if (err)
		return -EIO;
	for (i = 0; i < n; i++)
		if (list[i] && !vlibc_aio_check_cb(list[i]) &&
		    list[i]->lio_opcode != VLIBC_LIO_NOP && list[i]->error_code)
			return -EIO;
	return 0;
}
