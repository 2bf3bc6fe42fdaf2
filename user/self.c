// SPDX-License-Identifier: GPL-2.0
/* THP off for thpscope's own memory (see self.h). */
#include <sys/prctl.h>
#include "self.h"

void self_thp_disable(bool off)
{
	prctl(PR_SET_THP_DISABLE, off, 0, 0, 0);
}

bool self_thp_disabled(void)
{
	return prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) > 0;
}
