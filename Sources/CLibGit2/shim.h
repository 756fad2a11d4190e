#ifndef TOLLGATE_CLIBGIT2_SHIM_H
#define TOLLGATE_CLIBGIT2_SHIM_H

#include <git2.h>

/* git_libgit2_opts is variadic, and Swift cannot call C variadic functions:
   these wrappers give the few options Tollgate sets a fixed signature. */

/* Bounds libgit2's object cache, which otherwise grows to 256 MiB of parsed
   commits on a long history walk that never looks at a commit twice. */
static inline int tollgate_git_set_cache_max_size(ssize_t bytes) {
    return git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, bytes);
}

/* libgit2 re-hashes every object it reads by default; git does not, and trusts objects that
   index-pack or fsck verified when they arrived. Tollgate reads each tree of a long history, where
   that SHA-1 pass costs more than everything else. */
static inline int tollgate_git_set_strict_hash_verification(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, enabled);
}

/* Turns libgit2's object cache on or off. */
static inline int tollgate_git_set_caching(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_CACHING, enabled);
}

/* Bounds how much of the packfiles libgit2 keeps mapped. With its default 1 GiB windows a whole
   pack is one window that is never unmapped, so every page a history walk touches stays resident;
   small windows under a limit let old ones go. */
static inline int tollgate_git_set_pack_window_size(size_t window_bytes) {
    return git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, window_bytes);
}

static inline int tollgate_git_set_mapped_limit(size_t mapped_limit_bytes) {
    return git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, mapped_limit_bytes);
}

static inline int tollgate_git_get_mapped_limit(size_t *mapped_limit_bytes) {
    return git_libgit2_opts(GIT_OPT_GET_MWINDOW_MAPPED_LIMIT, mapped_limit_bytes);
}

#endif
