#ifndef TOLLGATE_CLIBGIT2_CERTIFICATES_H
#define TOLLGATE_CLIBGIT2_CERTIFICATES_H

/* Where libgit2 asked at initialisation to load the system's CA certificates (a bundle file or
   a folder), or NULL when it asked nothing: a libgit2 that does not use mbedTLS. */
const char *tollgate_git_deferred_certificates(void);

/* Loads the certificates libgit2 asked for at initialisation, once per process, and from then on
   lets every load through. Returns libgit2's result: 0, or a negative error code. */
int tollgate_git_load_certificates(void);

/* Has libgit2 load the CAs of `file` for its own check instead, after the load above: 0, or a
   negative error code when mbedTLS cannot read them. */
int tollgate_git_load_certificates_from(const char *file);

#endif
