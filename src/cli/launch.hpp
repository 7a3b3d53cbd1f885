// The launcher's record of how authctl was started (launcher/launch.hpp), as the app keeps
// it for `exec`.
#pragma once

#include "launcher/launch.hpp"

namespace authctl::cli {

// Recorded once by authctl_app_main; null when the app was started without the launcher.
void set_launch(const AuthctlLaunch* launch);
const AuthctlLaunch* launch();

}  // namespace authctl::cli
