/* SPDX-License-Identifier: GPL-2.0 */
/* What every cmocka unit test includes, in the order cmocka needs. */
#ifndef THPSCOPE_UNIT_H
#define THPSCOPE_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#endif
