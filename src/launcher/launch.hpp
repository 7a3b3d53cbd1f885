// What the launcher (src/launcher/main.cpp) found when authctl started, before it hardened
// the process: the umask and the soft core-dump limit. The 077 umask and the zero soft
// limit are for authctl itself; `exec` gives its child the originals back. Plain C layout:
// it crosses the dlopen boundary (authctl_app_main's third argument; the app checks its
// `size`).
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

extern "C" {
struct AuthctlLaunch {
  unsigned size;     // sizeof(AuthctlLaunch) as the launcher knew it
  mode_t umask;      // the umask authctl was started with
  rlim_t core_soft;  // the soft RLIMIT_CORE authctl was started with
};
}
