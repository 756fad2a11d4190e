/* Debian's libgit2 uses mbedTLS, and git_libgit2_init parses the whole system CA bundle: 15 to
   30 ms at the start of every command, for certificates only an HTTPS fetch needs. These two
   definitions of mbedTLS's loading functions interpose on libgit2's calls (an executable's
   symbols come first in dynamic lookup). Until tollgate_git_load_certificates() runs they only
   note what libgit2 wanted, leaving its chain empty, which trusts nothing; after it, they load
   through mbedTLS's own functions. No library can defer this, so it is written here. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <git2.h>
#include "CLibGit2Certificates.h"

typedef struct mbedtls_x509_crt mbedtls_x509_crt;
typedef int (*load_function)(mbedtls_x509_crt *, const char *);

static atomic_bool loads_pass;
static pthread_mutex_t noted_lock = PTHREAD_MUTEX_INITIALIZER;
static char *noted_file;
static char *noted_folder;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int load_result;

static int load_through(const char *name, mbedtls_x509_crt *chain, const char *location) {
    load_function load = (load_function)dlsym(RTLD_NEXT, name);
    return load == NULL ? -1 : load(chain, location);
}

static void note(char **slot, const char *location) {
    pthread_mutex_lock(&noted_lock);
    free(*slot);
    *slot = location == NULL ? NULL : strdup(location);
    pthread_mutex_unlock(&noted_lock);
}

int mbedtls_x509_crt_parse_file(mbedtls_x509_crt *chain, const char *file) {
    if (atomic_load(&loads_pass)) return load_through("mbedtls_x509_crt_parse_file", chain, file);
    note(&noted_file, file);
    return 0;
}

int mbedtls_x509_crt_parse_path(mbedtls_x509_crt *chain, const char *folder) {
    if (atomic_load(&loads_pass)) return load_through("mbedtls_x509_crt_parse_path", chain, folder);
    note(&noted_folder, folder);
    return 0;
}

const char *tollgate_git_deferred_certificates(void) {
    pthread_mutex_lock(&noted_lock);
    const char *location = noted_file != NULL ? noted_file : noted_folder;
    pthread_mutex_unlock(&noted_lock);
    return location;
}

static void load_noted(void) {
    atomic_store(&loads_pass, true);
    pthread_mutex_lock(&noted_lock);
    char *file = noted_file;
    char *folder = noted_folder;
    pthread_mutex_unlock(&noted_lock);
    if (file != NULL || folder != NULL) {
        load_result = git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, folder);
    }
}

int tollgate_git_load_certificates(void) {
    pthread_once(&load_once, load_noted);
    return load_result;
}

int tollgate_git_load_certificates_from(const char *file) {
    int result = tollgate_git_load_certificates();
    return result < 0 ? result : git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, NULL);
}
