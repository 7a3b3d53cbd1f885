// authctl's launcher: hardens the process, serves the token cache hit on its own, and
// otherwise loads the full program (libauthctl-app.so) and hands over. Keeping CLI11,
// libcurl and OpenSSL out of this binary keeps `authctl token` near the cost of reading a
// file (design.md, "Performance targets").
#include <dlfcn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <string>

#include "launcher/launch.hpp"
#include "launcher/token_fast.hpp"

#ifndef AUTHCTL_APP_RELDIR  // from AUTHCTL_PRIVATE_LIBDIR in CMakeLists.txt: no second copy
#error "AUTHCTL_APP_RELDIR (the private library folder, relative to the binary) is not defined"
#endif

namespace {

using AppMain = int (*)(int, char**, const AuthctlLaunch*);

// Next to the binary (the build tree), else in the private library folder of an install.
void* load_app(std::string& errors) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) {
    errors = "cannot find the authctl binary's folder";
    return nullptr;
  }
  std::string dir(exe, static_cast<size_t>(n));
  dir.resize(dir.rfind('/'));
  for (const std::string& candidate :
       {dir + "/libauthctl-app.so", dir + "/" + AUTHCTL_APP_RELDIR + "/libauthctl-app.so"}) {
    if (void* handle = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL)) return handle;
    errors += std::string(errors.empty() ? "" : "; ") + dlerror();
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  // libcurl would write the TLS session secrets to this file: never for authctl.
  unsetenv("SSLKEYLOGFILE");
  // Secrets pass through this process: keep new files private and never dump core. Only
  // the soft core limit is lowered (a non-root user could not raise the hard one back), and
  // both originals are kept for the command `exec` runs.
  AuthctlLaunch launch{};
  launch.size = sizeof launch;
  launch.umask = umask(077);
  struct rlimit core {};
  if (getrlimit(RLIMIT_CORE, &core) == 0) {
    launch.core_soft = core.rlim_cur;
    core.rlim_cur = 0;
  } else {  // unknown: no core dumps at all, and none for the child either
    core = {0, 0};
  }
  setrlimit(RLIMIT_CORE, &core);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

  if (auto served = authctl::launcher::try_token_cache_hit(argc, argv)) return *served;

  std::string errors;
  void* app = load_app(errors);
  auto app_main = app ? reinterpret_cast<AppMain>(dlsym(app, "authctl_app_main")) : nullptr;
  if (!app_main) {
    fprintf(stderr, "authctl: cannot load the rest of authctl (%s): reinstall authctl\n",
            app ? dlerror() : errors.c_str());
    return 1;
  }
  return app_main(argc, argv, &launch);
}
