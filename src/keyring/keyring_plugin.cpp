// libauthctl-keyring.so: the Secret Service (GNOME Keyring, KWallet) through libsecret,
// behind the plain C interface of keyring_abi.h. Only this file includes glib: the app
// loads it with dlopen for a keyring profile and never otherwise.
#include <libsecret/secret.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "keyring/keyring_abi.h"

#define AUTHCTL_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

// The schema of authctl's items. SECRET_SCHEMA_NONE: libsecret checks the attributes
// against it and adds xdg:schema, so `secret-tool search xdg:schema org.authctl.Profile`
// lists them.
const SecretSchema kSchema = {"org.authctl.Profile",
                              SECRET_SCHEMA_NONE,
                              {{"store", SECRET_SCHEMA_ATTRIBUTE_STRING},
                               {"profile", SECRET_SCHEMA_ATTRIBUTE_STRING},
                               {"url", SECRET_SCHEMA_ATTRIBUTE_STRING},
                               {nullptr, SECRET_SCHEMA_ATTRIBUTE_STRING}},
                              0,
                              nullptr,
                              nullptr,
                              nullptr,
                              nullptr,
                              nullptr,
                              nullptr,
                              nullptr};

// glib's own warnings would reach the terminal unescaped: the app reports every error.
GLogWriterOutput discard_log(GLogLevelFlags, const GLogField*, gsize, gpointer) {
  return G_LOG_WRITER_HANDLED;
}

void quiet_glib() {
  static std::once_flag once;
  std::call_once(once, [] { g_log_set_writer_func(discard_log, nullptr, nullptr); });
}

// Cancels every libsecret call of one operation once timeout_ms have passed: the sync calls
// then return G_IO_ERROR_CANCELLED, whatever the daemon does (a hung or stopped daemon, a
// prompt nobody answers).
class Deadline {
 public:
  explicit Deadline(int timeout_ms) : cancellable_(g_cancellable_new()) {
    watchdog_ = std::thread([this, timeout_ms] {
      std::unique_lock<std::mutex> lock(mutex_);
      if (!ended_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [this] { return done_; }))
        g_cancellable_cancel(cancellable_);
    });
  }
  ~Deadline() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    ended_.notify_all();
    watchdog_.join();
    g_object_unref(cancellable_);
  }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;
  GCancellable* cancellable() const { return cancellable_; }

 private:
  GCancellable* cancellable_;
  std::mutex mutex_;
  std::condition_variable ended_;
  bool done_ = false;
  std::thread watchdog_;
};

struct Outcome {
  int code = AUTHCTL_KEYRING_OK;
  std::string message;
};

Outcome from_error(GError* error, const char* doing) {
  Outcome out{AUTHCTL_KEYRING_FAILED, std::string(doing) + ": " + error->message};
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)) {
    out = {AUTHCTL_KEYRING_TIMEOUT, std::string(doing) + ": the keyring did not answer in time"};
  } else if (error->domain == G_DBUS_ERROR &&
             (error->code == G_DBUS_ERROR_SERVICE_UNKNOWN ||
              error->code == G_DBUS_ERROR_NAME_HAS_NO_OWNER ||
              error->code == G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND ||
              error->code == G_DBUS_ERROR_SPAWN_EXEC_FAILED ||
              error->code == G_DBUS_ERROR_SPAWN_CHILD_EXITED)) {
    out = {AUTHCTL_KEYRING_UNREACHABLE, "no Secret Service (keyring daemon) on the D-Bus session"};
  } else if (error->domain == G_IO_ERROR || error->domain == G_DBUS_ERROR) {
    // Connecting to the bus failed (no DBUS_SESSION_BUS_ADDRESS, a socket nobody listens on).
    out.code = AUTHCTL_KEYRING_UNREACHABLE;
  }
  g_error_free(error);
  return out;
}

int report(const Outcome& outcome, char* message, size_t size) {
  if (message && size) snprintf(message, size, "%s", outcome.message.c_str());
  return outcome.code;
}

Outcome connect(const Deadline& deadline, SecretService** service) {
  GError* error = nullptr;
  *service = secret_service_get_sync(SECRET_SERVICE_OPEN_SESSION, deadline.cancellable(), &error);
  if (!*service) return from_error(error, "cannot reach the keyring");
  return {};
}

// The attributes that select items: always the store, the rest when given.
GHashTable* selector(const char* store, const char* profile, const char* url) {
  GHashTable* attributes = g_hash_table_new(g_str_hash, g_str_equal);
  g_hash_table_insert(attributes, const_cast<char*>("store"), const_cast<char*>(store));
  if (profile)
    g_hash_table_insert(attributes, const_cast<char*>("profile"), const_cast<char*>(profile));
  if (url) g_hash_table_insert(attributes, const_cast<char*>("url"), const_cast<char*>(url));
  return attributes;
}

// Items of a locked collection: unlocked with a prompt when allowed, else refused (never a
// prompt under --no-input or CI=true).
Outcome unlock(SecretService* service, GList* objects, int may_prompt, const Deadline& deadline) {
  if (!may_prompt)
    return {AUTHCTL_KEYRING_LOCKED, "the keyring is locked and authctl may not ask to unlock it"};
  GError* error = nullptr;
  GList* unlocked = nullptr;
  const gint count =
      secret_service_unlock_sync(service, objects, deadline.cancellable(), &unlocked, &error);
  g_list_free_full(unlocked, g_object_unref);
  if (error) return from_error(error, "cannot unlock the keyring");
  if (count < static_cast<gint>(g_list_length(objects)))
    return {AUTHCTL_KEYRING_LOCKED, "the keyring stayed locked (the prompt was dismissed)"};
  return {};
}

Outcome visit_items(GList* items, authctl_keyring_visit visit, void* context) {
  for (GList* at = items; at; at = at->next) {
    SecretItem* item = SECRET_ITEM(at->data);
    SecretValue* value = secret_item_get_secret(item);
    if (!value) return {AUTHCTL_KEYRING_LOCKED, "a keyring item could not be read (locked)"};
    GHashTable* attributes = secret_item_get_attributes(item);
    const char* profile = static_cast<const char*>(g_hash_table_lookup(attributes, "profile"));
    const char* url = static_cast<const char*>(g_hash_table_lookup(attributes, "url"));
    gsize size = 0;
    const gchar* bytes = secret_value_get(value, &size);
    if (profile) visit(context, profile, url ? url : "", bytes, size);
    g_hash_table_unref(attributes);
    secret_value_unref(value);
  }
  return {};
}

bool any_locked(GList* items) {
  for (GList* at = items; at; at = at->next)
    if (secret_item_get_locked(SECRET_ITEM(at->data))) return true;
  return false;
}

// The items of authctl's schema with these attributes (locked ones too, secrets not loaded).
GList* find_items(SecretService* service, const char* store, const char* profile, const char* url,
                  const Deadline& deadline, Outcome& out) {
  GHashTable* attributes = selector(store, profile, url);
  GError* error = nullptr;
  GList* items = secret_service_search_sync(service, &kSchema, attributes, SECRET_SEARCH_ALL,
                                            deadline.cancellable(), &error);
  g_hash_table_unref(attributes);
  if (error) out = from_error(error, "cannot search the keyring");
  return items;
}

Outcome search(const char* store, int may_prompt, const Deadline& deadline,
               authctl_keyring_visit visit, void* context) {
  SecretService* service = nullptr;
  if (Outcome out = connect(deadline, &service); out.code) return out;
  Outcome out;
  GList* items = find_items(service, store, nullptr, nullptr, deadline, out);
  GError* error = nullptr;
  if (!out.code && any_locked(items)) out = unlock(service, items, may_prompt, deadline);
  if (!out.code && items && !secret_item_load_secrets_sync(items, deadline.cancellable(), &error))
    out = from_error(error, "cannot read the keyring");
  if (!out.code) out = visit_items(items, visit, context);
  g_list_free_full(items, g_object_unref);
  g_object_unref(service);
  return out;
}

// The default collection, unlocked. None (a fresh keyring without one): creating it would
// prompt for a password, so the person is told to set the keyring up instead.
Outcome default_collection(SecretService* service, int may_prompt, const Deadline& deadline) {
  GError* error = nullptr;
  SecretCollection* collection = secret_collection_for_alias_sync(
      service, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE, deadline.cancellable(), &error);
  if (error) return from_error(error, "cannot open the keyring");
  if (!collection)
    return {AUTHCTL_KEYRING_FAILED, "the keyring has no default collection (set one up first)"};
  Outcome out;
  if (secret_collection_get_locked(collection)) {
    GList objects{collection, nullptr, nullptr};
    out = unlock(service, &objects, may_prompt, deadline);
  }
  g_object_unref(collection);
  return out;
}

Outcome store_item(const char* store, const char* profile, const char* url, const char* label,
                   const char* secret, size_t size, int may_prompt, const Deadline& deadline) {
  SecretService* service = nullptr;
  if (Outcome out = connect(deadline, &service); out.code) return out;
  Outcome out = default_collection(service, may_prompt, deadline);
  if (!out.code) {
    // Store, profile and url only: the Secret Service replaces an item whose attributes are
    // all the same, so a profile has one item per url whatever else changes.
    GHashTable* attributes = selector(store, profile, url);
    SecretValue* value = secret_value_new(secret, static_cast<gssize>(size), "application/json");
    GError* error = nullptr;
    if (!secret_service_store_sync(service, &kSchema, attributes, SECRET_COLLECTION_DEFAULT, label,
                                   value, deadline.cancellable(), &error))
      out = from_error(error, "cannot write to the keyring");
    secret_value_unref(value);
    g_hash_table_unref(attributes);
  }
  g_object_unref(service);
  return out;
}

// Deletes item by item: libsecret's clear would prompt for a locked one.
Outcome clear_items(const char* store, const char* profile, const char* url,
                    const Deadline& deadline) {
  SecretService* service = nullptr;
  if (Outcome out = connect(deadline, &service); out.code) return out;
  Outcome out;
  GList* items = find_items(service, store, profile, url, deadline, out);
  GError* error = nullptr;
  for (GList* at = items; at && !out.code; at = at->next)
    if (!secret_item_delete_sync(SECRET_ITEM(at->data), deadline.cancellable(), &error))
      out = from_error(error, "cannot remove a keyring item");
  g_list_free_full(items, g_object_unref);
  g_object_unref(service);
  return out;
}

}  // namespace

AUTHCTL_EXPORT int authctl_keyring_abi(void) {
  return AUTHCTL_KEYRING_ABI;
}

AUTHCTL_EXPORT int authctl_keyring_search(const char* store, int may_prompt, int timeout_ms,
                                          authctl_keyring_visit visit, void* context, char* message,
                                          size_t message_size) {
  quiet_glib();
  Deadline deadline(timeout_ms);
  return report(search(store, may_prompt, deadline, visit, context), message, message_size);
}

AUTHCTL_EXPORT int authctl_keyring_store(const char* store, const char* profile, const char* url,
                                         const char* label, const char* secret, size_t secret_size,
                                         int may_prompt, int timeout_ms, char* message,
                                         size_t message_size) {
  quiet_glib();
  Deadline deadline(timeout_ms);
  return report(store_item(store, profile, url, label, secret, secret_size, may_prompt, deadline),
                message, message_size);
}

AUTHCTL_EXPORT int authctl_keyring_ready(int may_prompt, int timeout_ms, char* message,
                                         size_t message_size) {
  quiet_glib();
  Deadline deadline(timeout_ms);
  SecretService* service = nullptr;
  Outcome out = connect(deadline, &service);
  if (!out.code) {
    out = default_collection(service, may_prompt, deadline);
    g_object_unref(service);
  }
  return report(out, message, message_size);
}

AUTHCTL_EXPORT int authctl_keyring_clear(const char* store, const char* profile, const char* url,
                                         int timeout_ms, char* message, size_t message_size) {
  quiet_glib();
  Deadline deadline(timeout_ms);
  return report(clear_items(store, profile, url, deadline), message, message_size);
}
