// SPDX-License-Identifier: GPL-2.0
/*
 * The reference for start-up cost: a preload object with nothing in it,
 * so bench/run can tell what any LD_PRELOAD costs from what the binder
 * adds on top.
 */
