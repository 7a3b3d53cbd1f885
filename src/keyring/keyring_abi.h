/* The interface between authctl's app and its keyring plugin (libauthctl-keyring.so),
 * which is loaded with dlopen only for a profile kept in the keyring, so that no other
 * command loads libsecret and glib. Plain C types only: the plugin is built with glib,
 * the app without it. Every call is bounded by timeout_ms and prompts (to unlock a
 * collection) only when may_prompt is not 0. A call returns one of the codes below and,
 * for any other than OK, a one-line reason in message (NUL-terminated, cut to fit).
 * The secrets of one store are found by the attribute "store" (the store folder), a
 * profile's by "store" and "profile". */
#ifndef AUTHCTL_KEYRING_ABI_H
#define AUTHCTL_KEYRING_ABI_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
  AUTHCTL_KEYRING_OK = 0,
  AUTHCTL_KEYRING_UNREACHABLE = 1, /* no D-Bus session bus, or no Secret Service on it */
  AUTHCTL_KEYRING_LOCKED = 2,      /* the collection is locked and prompting is off */
  AUTHCTL_KEYRING_TIMEOUT = 3,     /* no answer within timeout_ms */
  AUTHCTL_KEYRING_FAILED = 4       /* any other error of the Secret Service */
};

#define AUTHCTL_KEYRING_ABI 1

/* One found secret: the profile attribute and the secret's bytes (not NUL-terminated),
 * valid only during the call. */
typedef void (*authctl_keyring_visit)(void* context, const char* profile, const char* url,
                                      const char* secret, size_t secret_size);

typedef int (*authctl_keyring_abi_fn)(void);
/* Every item of `store`: visit is called once per item. */
typedef int (*authctl_keyring_search_fn)(const char* store, int may_prompt, int timeout_ms,
                                         authctl_keyring_visit visit, void* context, char* message,
                                         size_t message_size);
/* Creates or replaces the item of (store, profile) in the default collection. */
typedef int (*authctl_keyring_store_fn)(const char* store, const char* profile, const char* url,
                                        const char* label, const char* secret, size_t secret_size,
                                        int may_prompt, int timeout_ms, char* message,
                                        size_t message_size);
/* OK when an item could be written now: a Secret Service whose default collection is
 * unlocked (or, with may_prompt, was unlocked). */
typedef int (*authctl_keyring_ready_fn)(int may_prompt, int timeout_ms, char* message,
                                        size_t message_size);
/* Removes the items of (store, profile); url, when not NULL, only the one of that url. */
typedef int (*authctl_keyring_clear_fn)(const char* store, const char* profile, const char* url,
                                        int timeout_ms, char* message, size_t message_size);

#ifdef __cplusplus
}
#endif

#endif
