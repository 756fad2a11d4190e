#ifndef TOLLGATE_CLIBGIT2_SHIM_H
#define TOLLGATE_CLIBGIT2_SHIM_H

#include <git2.h>

#endif
